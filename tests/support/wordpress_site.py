"""A real WordPress site for the end-to-end Akismet test: Debian's ``wordpress`` package
(6.1, with its bundled Akismet plugin) run by PHP's built-in server, on a MariaDB of the
test's own.

Everything here runs on 127.0.0.1 and under a temporary directory of the caller's, with
two exceptions Debian's packaging leaves no way around, both removed by :meth:`stop`:

* Debian's ``/usr/share/wordpress/wp-config.php`` only reads
  ``/etc/wordpress/config-<name>.php``; the site writes one with a random name and picks
  it through ``$_SERVER['WORDPRESS_CONFIG']``, which a PHP ``auto_prepend_file`` of its
  own sets (for ``php -S`` and for its ``php`` command-line scripts alike).
* nothing else: ``WP_CONTENT_DIR`` (plugins, themes, mu-plugins, uploads) is the test's
  own directory, holding symlinks to the packaged Akismet plugin and theme.
"""

from __future__ import annotations

import contextlib
import html.parser
import http.cookiejar
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from moderation.storage.redis_server import free_port

WORDPRESS = Path("/usr/share/wordpress")
DEBIAN_CONFIG_DIR = Path("/etc/wordpress")
AKISMET = WORDPRESS / "wp-content" / "plugins" / "akismet"
THEME = WORDPRESS / "wp-content" / "themes" / "twentytwentythree"
MU_PLUGIN = Path(__file__).resolve().parents[2] / "integrations" / "wordpress"
MU_PLUGIN_FILE = MU_PLUGIN / "moderation-akismet.php"
PLUGIN_DIR = MU_PLUGIN / "comment-moderation"  # the one-queue plugin (a regular plugin)

ADMIN_USER = "admin"
ADMIN_PASSWORD = "admin-password-for-the-test-only"


def missing_requirements() -> str | None:
    """Why a WordPress site cannot be run here (a skip reason), or None."""
    wanted = {
        "php": "php-cli",
        "mariadbd": "mariadb-server",
        "mariadb-install-db": "mariadb-server",
        "mariadb": "mariadb-client",
    }
    absent = sorted({pkg for cmd, pkg in wanted.items() if _which(cmd) is None})
    if not (WORDPRESS / "wp-config.php").exists() or not (AKISMET / "akismet.php").exists():
        absent.append("wordpress")
    if not THEME.is_dir():
        absent.append("wordpress-theme-twentytwentythree")
    if absent:
        return (
            "a real WordPress needs the Debian packages "
            + ", ".join(absent)
            + " (apt-get install wordpress wordpress-theme-twentytwentythree mariadb-server"
            " php-cli php-mysql)"
        )
    php = _which("php")
    assert php is not None
    modules = subprocess.run([php, "-m"], capture_output=True, text=True, check=False).stdout
    if "mysqli" not in modules.split():
        return "PHP has no mysqli extension (apt-get install php-mysql)"
    if not os.access(DEBIAN_CONFIG_DIR, os.W_OK):
        return f"{DEBIAN_CONFIG_DIR} is not writable (Debian's wp-config.php reads only there)"
    return None


def _which(command: str) -> str | None:
    found = shutil.which(command)
    if found is None:
        for folder in ("/usr/sbin", "/sbin", "/usr/bin"):
            candidate = Path(folder) / command
            if candidate.exists():
                return str(candidate)
    return found


def _wait(what: str, ready: Any, within: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what} not ready within {within} s\n{tail}")


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _stop(process: subprocess.Popen[bytes] | None, timeout: float = 15.0) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def _stop_group(process: subprocess.Popen[bytes] | None, timeout: float = 15.0) -> None:
    """Stop a process started with ``start_new_session`` and every process of its group
    (``php -S`` forks PHP_CLI_SERVER_WORKERS workers that keep its port open)."""
    if process is None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


# ---------------------------------------------------------------------------------------
# MariaDB


class MariaDB:
    """A throwaway MariaDB server: its own datadir, a socket under a short temporary
    directory (a socket path has a ~100-byte limit) and a TCP port on 127.0.0.1."""

    def __init__(self, workdir: Path) -> None:
        self.datadir = workdir / "mariadb"
        # The socket's directory is short and of its own; removed by stop().
        self.rundir = Path(tempfile.mkdtemp(prefix="wp-db-", dir="/tmp"))
        self.socket = self.rundir / "mysqld.sock"
        self.port = free_port()
        self.log = workdir / "mariadb.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.datadir.mkdir(parents=True, exist_ok=True)
        user = ["--user=root"] if os.geteuid() == 0 else []
        install = subprocess.run(
            [
                str(_which("mariadb-install-db")),
                "--no-defaults",
                f"--datadir={self.datadir}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
                *user,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert install.returncode == 0, install.stdout + install.stderr
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(_which("mariadbd")),
                    "--no-defaults",
                    f"--datadir={self.datadir}",
                    f"--socket={self.socket}",
                    f"--port={self.port}",
                    "--bind-address=127.0.0.1",
                    f"--pid-file={self.rundir / 'mysqld.pid'}",
                    "--skip-name-resolve",
                    "--skip-log-bin",
                    "--innodb-buffer-pool-size=32M",
                    "--innodb-log-file-size=8M",
                    *user,
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        _wait("MariaDB", self._answers, 60, self.log)

    def _answers(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, self.log.read_text(errors="replace")[-3000:]
        if not self.socket.exists():
            return False
        done = subprocess.run(
            self._client("-e", "SELECT 1"), capture_output=True, timeout=10, check=False
        )
        return done.returncode == 0

    def _client(self, *args: str) -> list[str]:
        return [
            str(_which("mariadb")),
            "--no-defaults",
            f"--socket={self.socket}",
            "--user=root",
            "--batch",
            "--skip-column-names",
            "--raw",
            *args,
        ]

    def sql(self, statement: str, database: str | None = None) -> list[list[str]]:
        """Run SQL; the rows it answers, tab-separated columns split."""
        done = subprocess.run(
            self._client(*([database] if database else []), "-e", statement),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def stop(self) -> None:
        _stop(self.process, 30)
        shutil.rmtree(self.rundir, ignore_errors=True)


# ---------------------------------------------------------------------------------------
# WordPress


class _Forms(html.parser.HTMLParser):
    """The forms of a page: each form's attributes and its named fields' values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[dict[str, str], dict[str, str]]] = []
        self.links: list[str] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        if tag == "form":
            self.forms.append((values, {}))
            return
        if not self.forms or "name" not in values:
            return
        fields = self.forms[-1][1]
        if tag == "input":
            kind = values.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in values:
                return
            if kind in ("submit", "button", "image", "reset"):
                return
            fields[values["name"]] = values.get("value", "")
        elif tag == "textarea":
            fields[values["name"]] = ""
            self._textarea = values["name"]

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and self.forms:
            self.forms[-1][1][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None


def page_forms(page: str) -> list[tuple[dict[str, str], dict[str, str]]]:
    parser = _Forms()
    parser.feed(page)
    return parser.forms


def page_links(page: str) -> list[str]:
    parser = _Forms()
    parser.feed(page)
    return parser.links


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Browser:
    """Enough of a browser for WordPress: cookies, forms, no JavaScript, redirects
    not followed (the test reads where WordPress sends it)."""

    base: str
    jar: http.cookiejar.CookieJar = field(default_factory=http.cookiejar.CookieJar)

    def request(
        self,
        path: str,
        data: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: dict[str, str] | None = None,
        *,
        raw: bytes | None = None,
    ) -> Reply:
        """GET, or POST a form (``data``; pairs repeat a name) or a ``raw`` body."""
        url = path if path.startswith("http") else self.base + path
        assert url.startswith("http://127.0.0.1:"), url  # loopback only
        body = urllib.parse.urlencode(data).encode() if data is not None else raw
        req = urllib.request.Request(url, data=body, headers={"User-Agent": UA, **(headers or {})})
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        try:
            with opener.open(req, timeout=60) as resp:
                return Reply(resp.status, dict(resp.headers.items()), resp.read().decode())
        except urllib.error.HTTPError as err:
            return Reply(err.code, dict(err.headers.items()), err.read().decode(errors="replace"))


UA = "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0"


class WordPressSite:
    """A WordPress site on ``php -S 127.0.0.1:<port>``: with ``akismet_url``, its Akismet
    plugin talks to the service through the must-use plugin of integrations/wordpress;
    ``constants`` are more ``define()``s of its wp-config.php."""

    def __init__(
        self,
        workdir: Path,
        *,
        akismet_url: str | None = None,
        akismet_key: str = "",
        constants: Mapping[str, str] | None = None,
    ) -> None:
        self.workdir = workdir
        self.akismet_url = akismet_url
        self.akismet_key = akismet_key
        self.constants = dict(constants or {})
        self.db = MariaDB(workdir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database = "wordpress"
        self.name = "modtest" + secrets.token_hex(6)
        self.debian_config = DEBIAN_CONFIG_DIR / f"config-{self.name}.php"
        self.content = workdir / "wp-content"
        self.prepend = workdir / "prepend.php"
        self.php_log = workdir / "php-server.log"
        self.debug_log = workdir / "wp-debug.log"
        self.process: subprocess.Popen[bytes] | None = None

    # -- setting up ------------------------------------------------------------------

    def start(self) -> None:
        self.db.start()
        self.db.sql(f"CREATE DATABASE {self.database} CHARACTER SET utf8mb4")
        self._write_content_dir()
        self._write_config()
        self.serve()

    def serve(self) -> None:
        """Start ``php -S`` (again, after :meth:`stop_serving`), on the same port."""
        assert self.process is None or self.process.poll() is not None
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("MODERATION_")},
            "PHP_CLI_SERVER_WORKERS": "4",  # a request to itself would otherwise wait
        }
        with self.php_log.open("ab") as log:
            self.process = subprocess.Popen(
                [*self._php(), "-S", f"127.0.0.1:{self.port}", "-t", str(WORDPRESS)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=env,
                cwd=self.workdir,
                start_new_session=True,  # its workers are its process group
            )
        _wait("php -S", lambda: self._serving(), 30, self.php_log)

    def stop_serving(self) -> None:
        """Stop ``php -S`` and its workers (WordPress down; its database stays up)."""
        _stop_group(self.process)
        _wait("php -S to stop", lambda: not _port_open(self.port), 30, self.php_log)

    def _serving(self) -> bool:
        assert self.process is not None
        assert self.process.poll() is None, self.php_log.read_text(errors="replace")[-3000:]
        return _port_open(self.port)

    def _php(self) -> list[str]:
        return [
            str(_which("php")),
            "-d",
            f"auto_prepend_file={self.prepend}",
            "-d",
            "display_errors=stderr",
            "-d",
            "memory_limit=256M",
        ]

    def _write_content_dir(self) -> None:
        for sub in ("plugins", "themes", "mu-plugins", "uploads", "languages"):
            (self.content / sub).mkdir(parents=True, exist_ok=True)
        (self.content / "plugins" / "akismet").symlink_to(AKISMET)
        (self.content / "themes" / THEME.name).symlink_to(THEME)
        if self.akismet_url is not None:
            shutil.copy(MU_PLUGIN_FILE, self.content / "mu-plugins" / MU_PLUGIN_FILE.name)
        # The test's own must-use plugin: one IP posts several comments within seconds
        # (WordPress's flood check would refuse them), and no mail leaves the machine.
        (self.content / "mu-plugins" / "zz-test-site.php").write_text(
            "<?php\n"
            "add_filter( 'wp_is_comment_flood', '__return_false', 100 );\n"
            "add_filter( 'pre_wp_mail', '__return_true' );\n",
            encoding="utf-8",
        )

    def _write_config(self) -> None:
        self.prepend.write_text(
            "<?php\n"
            f"$_SERVER['WORDPRESS_CONFIG'] = {_php_str(self.name)};\n"
            "if ( PHP_SAPI === 'cli' ) {\n"
            f"    $_SERVER['HTTP_HOST'] = {_php_str(f'127.0.0.1:{self.port}')};\n"
            "    $_SERVER['SERVER_NAME'] = '127.0.0.1';\n"
            "    $_SERVER['REQUEST_METHOD'] = 'GET';\n"
            "}\n",
            encoding="utf-8",
        )
        salts = "".join(
            f"define( {_php_str(name)}, {_php_str(secrets.token_hex(32))} );\n"
            for name in (
                "AUTH_KEY",
                "SECURE_AUTH_KEY",
                "LOGGED_IN_KEY",
                "NONCE_KEY",
                "AUTH_SALT",
                "SECURE_AUTH_SALT",
                "LOGGED_IN_SALT",
                "NONCE_SALT",
            )
        )
        constants = {
            "DB_NAME": self.database,
            "DB_USER": "root",
            "DB_PASSWORD": "",
            "DB_HOST": f"localhost:{self.db.socket}",
            "WP_CONTENT_DIR": str(self.content),
            "WP_HOME": self.base,
            "WP_SITEURL": self.base,
            "WP_DEBUG_LOG": str(self.debug_log),
            **({"MODERATION_AKISMET_URL": self.akismet_url} if self.akismet_url else {}),
            **self.constants,
        }
        flags = {
            "WP_DEBUG": True,
            "WP_DEBUG_DISPLAY": False,
            "DISABLE_WP_CRON": True,  # no loopback cron requests
            "AUTOMATIC_UPDATER_DISABLED": True,
            "WP_HTTP_BLOCK_EXTERNAL": True,  # nothing but 127.0.0.1 (and the redirected Akismet)
        }
        text = (
            "<?php\n// Written by tests/support/wordpress_site.py; removed when the test ends.\n"
            + "".join(f"define( {_php_str(k)}, {_php_str(v)} );\n" for k, v in constants.items())
            + "".join(
                f"define( {_php_str(k)}, {'true' if v else 'false'} );\n" for k, v in flags.items()
            )
            + salts
        )
        self.debian_config.write_text(text, encoding="utf-8")

    def install(self, title: str = "Moderation test blog") -> None:
        """WordPress's own installer, as a person fills it in."""
        first = Browser(self.base).request("/wp-admin/install.php")
        assert first.status == 200, first.text[-2000:]
        done = Browser(self.base).request(
            "/wp-admin/install.php?step=2",
            {
                "weblog_title": title,
                "user_name": ADMIN_USER,
                "admin_password": ADMIN_PASSWORD,
                "admin_password2": ADMIN_PASSWORD,
                "pw_weak": "1",
                "admin_email": "admin@example.com",
                "blog_public": "0",
                "language": "",
            },
        )
        assert done.status == 200 and "Success!" in done.text, done.text[-3000:]

    def setup_akismet(self) -> dict[str, Any]:
        """Akismet activated with the key, a post with comments open; the post's id and
        permalink."""
        return self.php_eval(
            f"""
            require_once ABSPATH . 'wp-admin/includes/plugin.php';
            $activated = activate_plugin( 'akismet/akismet.php' );
            if ( is_wp_error( $activated ) ) {{
                throw new Exception( $activated->get_error_message() );
            }}
            update_option( 'wordpress_api_key', {_php_str(self.akismet_key)} );
            update_option( 'permalink_structure', '' );
            $post_id = wp_insert_post( array(
                'post_title' => 'A post to comment on',
                'post_content' => 'Say what you think.',
                'post_status' => 'publish',
                'post_author' => 1,
                'comment_status' => 'open',
            ), true );
            if ( is_wp_error( $post_id ) ) {{
                throw new Exception( $post_id->get_error_message() );
            }}
            $result = array(
                'post_id' => $post_id,
                'permalink' => get_permalink( $post_id ),
                'akismet_version' => AKISMET_VERSION,
                'wp_version' => $GLOBALS['wp_version'],
                'active' => is_plugin_active( 'akismet/akismet.php' ),
                'key_status' => Akismet::verify_key( Akismet::get_api_key() ),
                'mu_plugins' => array_keys( get_mu_plugins() ),
            );
            """
        )

    def install_plugin(self, source: Path = PLUGIN_DIR) -> dict[str, Any]:
        """Copy a plugin's folder into the site's plugins folder and activate it, as
        an administrator does; what WordPress says about it."""
        target = self.content / "plugins" / source.name
        shutil.copytree(source, target)
        main = f"{source.name}/{source.name}.php"
        return self.php_eval(
            f"""
            require_once ABSPATH . 'wp-admin/includes/plugin.php';
            $activated = activate_plugin( {_php_str(main)} );
            if ( is_wp_error( $activated ) ) {{
                throw new Exception( $activated->get_error_message() );
            }}
            $result = array(
                'active' => is_plugin_active( {_php_str(main)} ),
                'wp_version' => $GLOBALS['wp_version'],
            );
            """
        )

    def add_post(self, title: str) -> tuple[int, str]:
        """A published post with comments open: its id and permalink."""
        info = self.php_eval(
            f"""
            $post_id = wp_insert_post( array(
                'post_title' => {_php_str(title)},
                'post_content' => 'Say what you think.',
                'post_status' => 'publish',
                'post_author' => 1,
                'comment_status' => 'open',
            ), true );
            if ( is_wp_error( $post_id ) ) {{
                throw new Exception( $post_id->get_error_message() );
            }}
            $result = array( 'post_id' => $post_id, 'permalink' => get_permalink( $post_id ) );
            """
        )
        return int(info["post_id"]), str(info["permalink"])

    # -- using it --------------------------------------------------------------------

    def php_eval(self, code: str) -> dict[str, Any]:
        """PHP run by php-cli inside WordPress (wp-load.php): ``code`` sets ``$result``,
        answered as JSON."""
        script = self.workdir / f"eval-{secrets.token_hex(4)}.php"
        script.write_text(
            "<?php\n"
            f"require {_php_str(str(WORDPRESS / 'wp-load.php'))};\n"
            "$result = null;\n"
            f"{code}\n"
            'echo "\\n@@RESULT@@" . json_encode( $result );\n',
            encoding="utf-8",
        )
        try:
            done = subprocess.run(
                [*self._php(), str(script)],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=self.workdir,
                check=False,
            )
        finally:
            script.unlink(missing_ok=True)
        assert done.returncode == 0 and "@@RESULT@@" in done.stdout, done.stdout + done.stderr
        value: dict[str, Any] = json.loads(done.stdout.rsplit("@@RESULT@@", 1)[1])
        return value

    def comment_form(self, browser: Browser, permalink: str) -> dict[str, str]:
        """The fields of the post's comment form, as the page gives them (hidden ones
        included), with ``ak_js`` set as the Akismet plugin's script sets it."""
        page = browser.request(permalink)
        assert page.status == 200, page.text[-2000:]
        forms = [f for attrs, f in page_forms(page.text) if attrs.get("id") == "commentform"]
        assert forms, "no #commentform on the post's page"
        fields = dict(forms[0])
        if "ak_js" in fields:
            fields["ak_js"] = str(int(time.time() * 1000))  # the plugin's inline script
        return fields

    def post_comment(
        self, permalink: str, *, author: str, email: str, content: str, url: str = ""
    ) -> tuple[Reply, dict[str, str]]:
        """A comment through wp-comments-post.php as a browser posts it; the reply and
        the fields sent."""
        browser = Browser(self.base)
        fields = self.comment_form(browser, permalink)
        fields.update(author=author, email=email, url=url, comment=content)
        reply = browser.request(
            "/wp-comments-post.php",
            fields,
            headers={"Referer": permalink, "Origin": self.base},
        )
        return reply, fields

    def comments(self) -> list[dict[str, str]]:
        rows = self.db.sql(
            "SELECT comment_ID, comment_approved, REPLACE(comment_content, '\\n', ' ') "
            "FROM wp_comments ORDER BY comment_ID",
            self.database,
        )
        return [{"id": r[0], "approved": r[1], "content": r[2]} for r in rows]

    def comment_meta(self, comment_id: str) -> dict[str, str]:
        rows = self.db.sql(
            f"SELECT meta_key, meta_value FROM wp_commentmeta WHERE comment_id = {int(comment_id)}",
            self.database,
        )
        return {r[0]: r[1] if len(r) > 1 else "" for r in rows}

    def admin(self) -> Browser:
        """A browser logged in to wp-admin as the administrator."""
        browser = Browser(self.base)
        browser.request("/wp-login.php")  # sets wordpress_test_cookie
        reply = browser.request(
            "/wp-login.php",
            {
                "log": ADMIN_USER,
                "pwd": ADMIN_PASSWORD,
                "wp-submit": "Log In",
                "redirect_to": self.base + "/wp-admin/",
                "testcookie": "1",
            },
        )
        assert reply.status == 302, reply.text[-2000:]
        return browser

    def moderate(self, browser: Browser, comment_id: str, action: str) -> Reply:
        """Follow a comment's row-action link on wp-admin's Comments screen (no
        JavaScript: the link itself, e.g. ``spamcomment``, ``unspamcomment``)."""
        wanted: list[str] = []
        for status in ("all", "spam"):  # the "all" screen leaves spam out
            page = browser.request(f"/wp-admin/edit-comments.php?comment_status={status}")
            assert page.status == 200, page.text[-2000:]
            wanted += [
                link
                for link in page_links(page.text)
                if f"c={comment_id}&" in link and f"action={action}&" in link
            ]
        assert wanted, f"no {action} link for comment {comment_id} on edit-comments.php"
        link = wanted[0]
        if not link.startswith("http"):
            link = self.base + "/wp-admin/" + link
        return browser.request(link, headers={"Referer": self.base + "/wp-admin/"})

    def enter_key(self, browser: Browser, key: str) -> Reply:
        """Type ``key`` into the Akismet plugin's settings page and save, as the
        administrator does (Settings > Akismet Anti-spam)."""
        path = "/wp-admin/options-general.php?page=akismet-key-config"
        page = browser.request(path + "&view=start")
        assert page.status == 200, page.text[-2000:]
        forms = [f for _, f in page_forms(page.text) if f.get("action") == "enter-key"]
        assert forms, "no key form on the Akismet settings page"
        return browser.request(
            path, {**forms[0], "key": key}, headers={"Referer": self.base + path}
        )

    def logs(self) -> str:
        parts = []
        for path in (self.php_log, self.debug_log, self.db.log):
            if path.exists():
                parts.append(f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)

    def stop(self) -> None:
        _stop_group(self.process)
        self.db.stop()
        self.debian_config.unlink(missing_ok=True)


def _php_str(value: str) -> str:
    """A PHP single-quoted string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
