<?php
/**
 * The outbox: every send to the service (a new comment's intake, an edit of its text or
 * author URL, a status decided in WordPress) is first a row of a table of the plugin's
 * own, and leaves it only once the service has taken it (or refused it for good).  Rows
 * of one comment go out in the order they were written, so a status never overtakes its
 * comment's intake, nor an edit the status decided after it.
 *
 * A request that writes rows tries them once at its end; what fails waits for WP-cron,
 * with a back-off of 30 s doubling up to an hour.
 *
 * @package comment-moderation
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The table, its rows and their delivery.
 */
final class Comment_Moderation_Outbox {

	const DB_VERSION        = '1';
	const DB_VERSION_OPTION = 'comment_moderation_db_version';
	const HOOK              = 'comment_moderation_flush';
	const SAFETY_NET_HOOK   = 'comment_moderation_cron';
	const FIRST_BACKOFF     = 30;
	const MAX_BACKOFF       = 3600;
	/** A claimed row is left alone by other runs this long (a run that died gives it back). */
	const LEASE = 60;
	/** A run stops starting new sends after this many seconds. */
	const RUN_BUDGET = 20;
	const BATCH      = 200;

	/**
	 * Comment ids written to in this request: tried once when it ends.
	 *
	 * @var array<int, true>
	 */
	private static $touched = array();

	/**
	 * Hooks.
	 */
	public static function register() {
		add_action( self::HOOK, array( __CLASS__, 'on_cron' ), 10, 1 );
		add_action( self::SAFETY_NET_HOOK, array( __CLASS__, 'on_cron' ), 10, 0 );
		add_filter( 'cron_schedules', array( __CLASS__, 'schedules' ) );
		add_action( 'init', array( __CLASS__, 'maybe_install' ) );
	}

	/**
	 * The table's name.
	 *
	 * @return string
	 */
	public static function table() {
		global $wpdb;
		return $wpdb->prefix . 'comment_moderation_outbox';
	}

	/**
	 * Activation: the table, and WP-cron's safety net (every five minutes).
	 */
	public static function activate() {
		self::install();
		if ( ! wp_next_scheduled( self::SAFETY_NET_HOOK ) ) {
			wp_schedule_event( time() + 300, 'comment_moderation_five_minutes', self::SAFETY_NET_HOOK );
		}
	}

	/**
	 * Deactivation: no cron left behind (the table and its rows stay for a later
	 * activation; uninstall.php removes them).
	 */
	public static function deactivate() {
		wp_clear_scheduled_hook( self::SAFETY_NET_HOOK );
		wp_clear_scheduled_hook( self::HOOK );
	}

	/**
	 * The table and the safety net, when activation did not run here (a site of a
	 * network, a copied database, a plugin folder replaced by hand).
	 */
	public static function maybe_install() {
		if ( get_option( self::DB_VERSION_OPTION ) !== self::DB_VERSION ) {
			self::install();
		}
		if ( ! wp_next_scheduled( self::SAFETY_NET_HOOK ) ) {
			wp_schedule_event( time() + 300, 'comment_moderation_five_minutes', self::SAFETY_NET_HOOK );
		}
	}

	/**
	 * Create or upgrade the table.
	 */
	public static function install() {
		global $wpdb;
		require_once ABSPATH . 'wp-admin/includes/upgrade.php';
		$table   = self::table();
		$charset = $wpdb->get_charset_collate();
		dbDelta(
			"CREATE TABLE {$table} (
			id bigint(20) unsigned NOT NULL AUTO_INCREMENT,
			comment_id bigint(20) unsigned NOT NULL,
			kind varchar(16) NOT NULL,
			payload longtext NOT NULL,
			attempts int(10) unsigned NOT NULL DEFAULT 0,
			next_attempt_at bigint(20) unsigned NOT NULL DEFAULT 0,
			locked_until bigint(20) unsigned NOT NULL DEFAULT 0,
			last_error varchar(500) NOT NULL DEFAULT '',
			created_at bigint(20) unsigned NOT NULL DEFAULT 0,
			PRIMARY KEY  (id),
			KEY comment_id (comment_id)
			) {$charset};"
		);
		// Autoloaded: every request reads it (maybe_install on init).
		update_option( self::DB_VERSION_OPTION, self::DB_VERSION, true );
	}

	/**
	 * WP-cron's own intervals.
	 *
	 * @param array $schedules The known schedules.
	 * @return array
	 */
	public static function schedules( $schedules ) {
		$schedules['comment_moderation_five_minutes'] = array(
			'interval' => 300,
			'display'  => 'Every five minutes (comment moderation outbox)',
		);
		return $schedules;
	}

	/**
	 * Queue a send of one comment; it is tried when this request ends.
	 *
	 * @param int    $comment_id The WordPress comment.
	 * @param string $kind       'intake' or 'status'.
	 * @param array  $payload    What the send needs.
	 * @return int The row's id: rows are numbered in the order they were written, which
	 *             tells which of two sends about a comment came later.
	 */
	public static function enqueue( $comment_id, $kind, array $payload ) {
		global $wpdb;
		$now = time();
		$wpdb->insert(
			self::table(),
			array(
				'comment_id'      => (int) $comment_id,
				'kind'            => $kind,
				'payload'         => wp_json_encode( $payload ),
				'attempts'        => 0,
				'next_attempt_at' => $now,
				'locked_until'    => 0,
				'last_error'      => '',
				'created_at'      => $now,
			),
			array( '%d', '%s', '%s', '%d', '%d', '%d', '%s', '%d' )
		);
		if ( ! self::$touched ) {
			add_action( 'shutdown', array( __CLASS__, 'flush_touched' ), 1 );
		}
		self::$touched[ (int) $comment_id ] = true;
		return (int) $wpdb->insert_id;
	}

	/**
	 * The end of a request that wrote rows: its comments' rows, tried once now.
	 */
	public static function flush_touched() {
		$touched       = self::$touched;
		self::$touched = array();
		if ( $touched ) {
			self::run( true, $touched );
		}
	}

	/**
	 * The cron event (and `do_action( 'comment_moderation_flush', true )`).
	 *
	 * @param mixed $force Also the rows still in their back-off.
	 */
	public static function on_cron( $force = false ) {
		self::run( (bool) $force, null );
	}

	/**
	 * Every due row, in order; answers how many were delivered.
	 *
	 * @param bool $force Also the rows still in their back-off.
	 * @return int
	 */
	public static function flush( $force = false ) {
		return self::run( $force, null );
	}

	/**
	 * One run over the outbox.  A row is skipped while an earlier row of its comment is
	 * still there (in its back-off, or being sent by another run); the first send that
	 * must be retried ends the run (the service is down or refuses the key: the next
	 * ones would fare no better).
	 *
	 * @param bool                 $force Also the rows still in their back-off.
	 * @param array<int, true>|null $only  Only these comments' rows.
	 * @return int
	 */
	private static function run( $force, $only ) {
		global $wpdb;
		if ( get_option( self::DB_VERSION_OPTION ) !== self::DB_VERSION ) {
			return 0;
		}
		$table   = self::table();
		$started = microtime( true );
		$rows    = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT id, comment_id, next_attempt_at, locked_until FROM {$table} ORDER BY id ASC LIMIT %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				self::BATCH
			),
			ARRAY_A
		);
		$blocked   = array();
		$delivered = 0;
		$stopped   = false;
		foreach ( (array) $rows as $row ) {
			$comment_id = (int) $row['comment_id'];
			$id         = (int) $row['id'];
			$now        = time();
			if ( null !== $only && ! isset( $only[ $comment_id ] ) ) {
				continue;
			}
			if ( isset( $blocked[ $comment_id ] ) ) {
				continue;
			}
			$waiting = ! $force && (int) $row['next_attempt_at'] > $now;
			if ( $stopped || $waiting || (int) $row['locked_until'] > $now
				|| microtime( true ) - $started > self::RUN_BUDGET
				|| ! self::claim( $id, $now ) ) {
				$blocked[ $comment_id ] = true;
				continue;
			}
			$result = self::send( $id );
			if ( Comment_Moderation_Client::RETRY === $result ) {
				$blocked[ $comment_id ] = true;
				$stopped                = true;
			} else {
				++$delivered;
			}
		}
		self::schedule_next();
		return $delivered;
	}

	/**
	 * Take a row for this run, unless another run holds it.
	 *
	 * @param int $id  The row.
	 * @param int $now Unix seconds.
	 * @return bool
	 */
	private static function claim( $id, $now ) {
		global $wpdb;
		$table = self::table();
		$taken = $wpdb->query(
			$wpdb->prepare(
				"UPDATE {$table} SET locked_until = %d WHERE id = %d AND locked_until <= %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$now + self::LEASE,
				$id,
				$now
			)
		);
		return 1 === $taken;
	}

	/**
	 * Send one claimed row; answers the client's outcome.
	 *
	 * @param int $id The row.
	 * @return string
	 */
	private static function send( $id ) {
		global $wpdb;
		$table = self::table();
		$row   = $wpdb->get_row(
			$wpdb->prepare( "SELECT * FROM {$table} WHERE id = %d", $id ), // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
			ARRAY_A
		);
		if ( ! $row ) {
			return Comment_Moderation_Client::DONE;
		}
		$payload = json_decode( (string) $row['payload'], true );
		$payload = is_array( $payload ) ? $payload : array();
		$comment = (int) $row['comment_id'];
		if ( 'intake' === $row['kind'] ) {
			$answer = Comment_Moderation_Client::post( '/v1/comments', (array) ( $payload['body'] ?? array() ) );
		} else {
			$answer = Comment_Moderation_Client::post(
				'/v1/comments/' . self::service_id( $comment, $payload ) . '/cms-status',
				array_filter(
					array(
						'status' => (string) ( $payload['status'] ?? '' ),
						'actor'  => (string) ( $payload['actor'] ?? '' ),
					),
					'strlen'
				)
			);
		}
		// An edit is an intake of a comment the service has already (same id, new text).
		$kind = 'intake' === $row['kind'] && ! empty( $payload['edit'] ) ? 'edit' : (string) $row['kind'];
		$what = $kind . ' of comment ' . $comment;
		switch ( $answer['outcome'] ) {
			case Comment_Moderation_Client::DONE:
				$wpdb->delete( $table, array( 'id' => $id ), array( '%d' ) );
				if ( 'intake' === $row['kind'] ) {
					Comment_Moderation_Sync::intake_answered( $comment, (array) $answer['body'], 'edit' === $kind );
				}
				break;
			case Comment_Moderation_Client::REFUSED:
				$wpdb->delete( $table, array( 'id' => $id ), array( '%d' ) );
				error_log( 'comment-moderation: the service refused the ' . $what . ' (' . $answer['error'] . '); not retried' ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions
				Comment_Moderation_Sync::refused( $comment, $kind, (string) $answer['error'] );
				break;
			default:
				$attempts = (int) $row['attempts'] + 1;
				$wpdb->update(
					$table,
					array(
						'attempts'        => $attempts,
						'next_attempt_at' => time() + self::backoff( $attempts ),
						'locked_until'    => 0,
						'last_error'      => substr( (string) $answer['error'], 0, 500 ),
					),
					array( 'id' => $id ),
					array( '%d', '%d', '%d', '%s' ),
					array( '%d' )
				);
				error_log( 'comment-moderation: the ' . $what . ' waits for a retry (attempt ' . $attempts . ': ' . $answer['error'] . ')' ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions
		}
		return (string) $answer['outcome'];
	}

	/**
	 * The id a cms-status names: the service's id when known, else `ext:<comment_ID>`.
	 *
	 * @param int   $comment_id The WordPress comment.
	 * @param array $payload    The row's payload (a deleted comment's id is kept there).
	 * @return string
	 */
	private static function service_id( $comment_id, array $payload ) {
		$known = (string) get_comment_meta( $comment_id, 'moderation_id', true );
		if ( '' === $known && isset( $payload['service_id'] ) ) {
			$known = (string) $payload['service_id'];
		}
		return '' !== $known ? rawurlencode( $known ) : 'ext:' . (int) $comment_id;
	}

	/**
	 * Seconds to wait after failed attempt number $attempts.
	 *
	 * @param int $attempts Failed attempts so far (1, 2, ...).
	 * @return int
	 */
	public static function backoff( $attempts ) {
		return (int) min( self::MAX_BACKOFF, self::FIRST_BACKOFF * pow( 2, min( $attempts - 1, 20 ) ) );
	}

	/**
	 * A cron event at the earliest row's due time, unless one comes sooner already.
	 */
	private static function schedule_next() {
		global $wpdb;
		$table = self::table();
		$due   = $wpdb->get_var( "SELECT MIN(GREATEST(next_attempt_at, locked_until)) FROM {$table}" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
		if ( null === $due ) {
			return;
		}
		$due  = max( time() + 1, (int) $due );
		$next = wp_next_scheduled( self::HOOK );
		if ( false !== $next && $next <= $due ) {
			return;
		}
		if ( false !== $next ) {
			wp_unschedule_event( $next, self::HOOK );
		}
		wp_schedule_single_event( $due, self::HOOK );
	}

	/**
	 * Whether a status decided in WordPress for this comment still waits to be sent.
	 *
	 * @param int $comment_id The WordPress comment.
	 * @return bool
	 */
	public static function status_waiting( $comment_id ) {
		global $wpdb;
		if ( get_option( self::DB_VERSION_OPTION ) !== self::DB_VERSION ) {
			return false;
		}
		$table = self::table();
		return null !== $wpdb->get_var(
			$wpdb->prepare(
				"SELECT id FROM {$table} WHERE comment_id = %d AND kind = %s LIMIT 1", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				(int) $comment_id,
				'status'
			)
		);
	}

	/**
	 * How many rows wait.
	 *
	 * @return int
	 */
	public static function count() {
		global $wpdb;
		if ( get_option( self::DB_VERSION_OPTION ) !== self::DB_VERSION ) {
			return 0;
		}
		$table = self::table();
		return (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$table}" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
	}

	/**
	 * The rows, oldest first, without their payloads (which hold readers' emails).
	 *
	 * @param int $limit At most this many.
	 * @return array<int, array<string, mixed>>
	 */
	public static function items( $limit = 100 ) {
		global $wpdb;
		$table = self::table();
		$rows  = $wpdb->get_results(
			$wpdb->prepare(
				"SELECT id, comment_id, kind, payload, attempts, next_attempt_at, last_error FROM {$table} ORDER BY id ASC LIMIT %d", // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
				$limit
			),
			ARRAY_A
		);
		$items = array();
		foreach ( (array) $rows as $row ) {
			$payload = json_decode( (string) $row['payload'], true );
			$items[] = array(
				'id'              => (int) $row['id'],
				'comment_id'      => (int) $row['comment_id'],
				'kind'            => (string) $row['kind'],
				'status'          => is_array( $payload ) && isset( $payload['status'] ) ? (string) $payload['status'] : null,
				'attempts'        => (int) $row['attempts'],
				'next_attempt_at' => (int) $row['next_attempt_at'],
				'last_error'      => (string) $row['last_error'],
			);
		}
		return $items;
	}
}
