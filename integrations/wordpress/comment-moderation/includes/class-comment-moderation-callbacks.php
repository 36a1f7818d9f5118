<?php
/**
 * The service's decisions: `POST /wp-json/comment-moderation/v1/events`.
 *
 * The route is open to anyone (permission_callback true) because the service is not a
 * WordPress user: every request proves itself with `X-Moderation-Signature`, an
 * HMAC-SHA256 with the callback secret over "<t>." and the raw body, at most 300 s old.
 * Anything else is 401 and changes nothing.  Each event is applied once: it is known by
 * its `event_id`, which is inside the signed body (`X-Moderation-Delivery` carries the
 * same value but is not signed, so a replay within the 300 s with another header value
 * is still a repeat).
 *
 * An event does not overrule a later decision made in WordPress: it is answered 200
 * and not applied while a WordPress decision on the comment waits in the outbox (it
 * reaches the service after the event, and wins there), or when the comment's status
 * was last set by an editor here and is no longer the one the event decided from
 * (`comment.previous_status`: the event is older than that decision, which the
 * service already has).
 *
 * `comment.edited` (the comment was sent again with another text or author URL: an
 * edit made here) carries the status the edit left, pending as a rule: it is applied
 * like a decision (pending holds the comment).  Its `previous_status` is the status
 * before the edit, which may well be the one an editor set after it, so for this type
 * the order of the plugin's own sends decides instead: an editor's status queued after
 * the edit stands.
 *
 * @package comment-moderation
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The callback route.
 */
final class Comment_Moderation_Callbacks {

	const ROUTE_NAMESPACE = 'comment-moderation/v1';
	const TOLERANCE       = 300;
	const TYPES           = array( 'comment.decided', 'comment.auto_decided', 'comment.undone', 'comment.edited' );
	/** Applied deliveries remembered per comment. */
	const REMEMBERED = 20;

	/**
	 * Hooks.
	 */
	public static function register() {
		add_action( 'rest_api_init', array( __CLASS__, 'routes' ) );
	}

	/**
	 * The route.
	 */
	public static function routes() {
		register_rest_route(
			self::ROUTE_NAMESPACE,
			'/events',
			array(
				'methods'             => 'POST',
				'callback'            => array( __CLASS__, 'receive' ),
				'permission_callback' => '__return_true', // The signature is checked in receive().
			)
		);
	}

	/**
	 * Whether a signature header is a fresh, valid signature of the body.
	 *
	 * @param string $header The X-Moderation-Signature value.
	 * @param string $body   The raw body.
	 * @param string $secret The callback secret.
	 * @param int    $now    Unix seconds.
	 * @return bool
	 */
	public static function verify( $header, $body, $secret, $now ) {
		if ( '' === $secret || '' === $header ) {
			return false;
		}
		$timestamp  = null;
		$signatures = array();
		foreach ( explode( ',', $header ) as $part ) {
			$pair = explode( '=', trim( $part ), 2 );
			if ( 2 !== count( $pair ) ) {
				continue;
			}
			if ( 't' === $pair[0] && ctype_digit( $pair[1] ) && strlen( $pair[1] ) <= 12 ) {
				$timestamp = (int) $pair[1];
			} elseif ( 'v1' === $pair[0] ) {
				$signatures[] = $pair[1];
			}
		}
		if ( null === $timestamp || ! $signatures || abs( $now - $timestamp ) > self::TOLERANCE ) {
			return false;
		}
		$expected = hash_hmac( 'sha256', $timestamp . '.' . $body, $secret );
		$valid    = false;
		foreach ( $signatures as $signature ) {
			// Every candidate compared, in constant time.
			$valid = hash_equals( $expected, strtolower( $signature ) ) || $valid;
		}
		return $valid;
	}

	/**
	 * One callback.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response
	 */
	public static function receive( $request ) {
		$body = (string) $request->get_body();
		if ( ! self::verify(
			(string) $request->get_header( 'x_moderation_signature' ),
			$body,
			Comment_Moderation_Config::get( 'callback_secret' ),
			time()
		) ) {
			return self::answer( 401, array( 'error' => 'missing, wrong or stale X-Moderation-Signature' ) );
		}
		$event = json_decode( $body, true );
		if ( ! is_array( $event ) || ! isset( $event['comment'] ) || ! is_array( $event['comment'] ) ) {
			return self::answer( 400, array( 'error' => 'not an event' ) );
		}
		$type = isset( $event['type'] ) && is_string( $event['type'] ) ? $event['type'] : '';
		if ( ! in_array( $type, self::TYPES, true ) ) {
			return self::answer( 200, array( 'applied' => false, 'reason' => 'event type not handled' ) );
		}
		// The signed event_id first: the header is not covered by the signature.
		$delivery = isset( $event['event_id'] ) && is_string( $event['event_id'] ) ? $event['event_id'] : '';
		if ( '' === $delivery ) {
			$delivery = (string) $request->get_header( 'x_moderation_delivery' );
		}
		$data        = $event['comment'];
		$service_id  = isset( $data['id'] ) && is_scalar( $data['id'] ) ? (string) $data['id'] : '';
		$external_id = isset( $data['external_id'] ) && is_scalar( $data['external_id'] ) ? (string) $data['external_id'] : '';
		$status      = isset( $data['status'] ) && is_string( $data['status'] ) ? $data['status'] : '';
		$previous    = isset( $data['previous_status'] ) && is_string( $data['previous_status'] ) ? $data['previous_status'] : '';
		$comment     = ctype_digit( $external_id ) && (int) $external_id > 0 ? get_comment( (int) $external_id ) : null;
		if ( ! $comment ) {
			self::log( 'an event for a comment this site does not have (service id ' . $service_id . ')' );
			return self::answer( 200, array( 'applied' => false, 'reason' => 'unknown comment' ) );
		}
		$id    = (int) $comment->comment_ID;
		$known = (string) get_comment_meta( $id, 'moderation_id', true );
		if ( '' !== $known ? $known !== $service_id : ! Comment_Moderation_Sync::synced( $comment ) ) {
			self::log( 'an event for comment ' . $id . ' names another service id (' . $service_id . ')' );
			return self::answer( 200, array( 'applied' => false, 'reason' => 'another comment' ) );
		}
		if ( '' === $known && '' !== $service_id ) {
			update_comment_meta( $id, 'moderation_id', $service_id ); // The 202 answer was lost.
		}
		if ( '' !== $delivery && in_array( $delivery, get_comment_meta( $id, 'moderation_delivery', false ), true ) ) {
			return self::answer( 200, array( 'applied' => false, 'reason' => 'already applied' ) );
		}
		$later = self::later_decision_here( $comment, $previous, $type );
		if ( '' !== $later ) {
			self::log( 'an event for comment ' . $id . ' not applied: ' . $later );
			if ( '' !== $delivery ) {
				self::remember( $id, $delivery );
			}
			return self::answer( 200, array( 'applied' => false, 'reason' => $later ) );
		}
		$changed = Comment_Moderation_Sync::apply( $comment, $status );
		if ( '' !== $delivery ) {
			self::remember( $id, $delivery );
		}
		return self::answer(
			200,
			array(
				'applied' => true,
				'changed' => $changed,
				'status'  => wp_get_comment_status( $id ),
			)
		);
	}

	/**
	 * Why an event must not be applied because WordPress decided the comment after the
	 * service made it ('' when nothing stands in its way).
	 *
	 * @param WP_Comment $comment  The comment.
	 * @param string     $previous The event's comment.previous_status ('' when absent).
	 * @param string     $type     The event's type.
	 * @return string
	 */
	public static function later_decision_here( $comment, $previous, $type ) {
		$id = (int) $comment->comment_ID;
		// An edit's own event included: its edit row went out before any status row
		// still waiting, so such a status was decided after the edit.
		if ( Comment_Moderation_Outbox::status_waiting( $id ) ) {
			return 'a later decision made in WordPress is waiting to be sent';
		}
		$local = (string) get_comment_meta( $id, 'moderation_local_status', true );
		if ( '' === $local ) {
			return '';
		}
		$current = Comment_Moderation_Sync::service_status( $comment );
		if ( 'comment.edited' === $type ) {
			$after_edit = (int) get_comment_meta( $id, 'moderation_local_row', true )
				> (int) get_comment_meta( $id, 'moderation_edit_row', true );
			return $current === $local && $after_edit ? 'a decision made in WordPress after the edit stands' : '';
		}
		if ( '' === $previous ) {
			return '';
		}
		if ( $current === $local && $current !== $previous ) {
			return 'a later decision made in WordPress stands';
		}
		return '';
	}

	/**
	 * Keep a delivery id in the comment's meta (the last REMEMBERED of them).
	 *
	 * @param int    $id       The comment.
	 * @param string $delivery The delivery id.
	 */
	private static function remember( $id, $delivery ) {
		add_comment_meta( $id, 'moderation_delivery', $delivery );
		$all = get_comment_meta( $id, 'moderation_delivery', false );
		while ( count( $all ) > self::REMEMBERED ) {
			delete_comment_meta( $id, 'moderation_delivery', array_shift( $all ) );
		}
	}

	/**
	 * A JSON answer.
	 *
	 * @param int   $status The HTTP status.
	 * @param array $data   The body.
	 * @return WP_REST_Response
	 */
	private static function answer( $status, array $data ) {
		return new WP_REST_Response( $data, $status );
	}

	/**
	 * A line in PHP's error log (ids only: never a secret, an email or a text).
	 *
	 * @param string $message What happened.
	 */
	private static function log( $message ) {
		error_log( 'comment-moderation: ' . sanitize_text_field( $message ) ); // phpcs:ignore WordPress.PHP.DevelopmentFunctions
	}
}
