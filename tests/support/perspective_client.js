// Drives Google's own Node client for the Perspective API (googleapis' commentanalyzer
// v1alpha1) against the service: one call per run, the job as JSON on stdin, the outcome
// as JSON on stdout, so that the tests see exactly what the client made of the answer.
//
// Job: {"root": "http://127.0.0.1:PORT/", "key": "...", "method": "analyze" |
// "suggestscore", "body": {...}}.  Outcome: {"ok": true, "status", "data"} or
// {"ok": false, "status", "data", "message"} (the client rejects a non-2xx answer).
const { google } = require("googleapis");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const job = JSON.parse(input);
  // The key as the client's `auth` (it sends it as ?key=); rootUrl per call: the
  // client's global rootUrl option is mangled by this version's request builder.
  const analyzer = google.commentanalyzer({ version: "v1alpha1", auth: job.key });
  try {
    const res = await analyzer.comments[job.method](
      { requestBody: job.body },
      { rootUrl: job.root }
    );
    console.log(JSON.stringify({ ok: true, status: res.status, data: res.data }));
  } catch (err) {
    const res = err.response || {};
    console.log(
      JSON.stringify({
        ok: false,
        status: res.status || null,
        data: res.data === undefined ? null : res.data,
        message: err.message,
      })
    );
  }
});
