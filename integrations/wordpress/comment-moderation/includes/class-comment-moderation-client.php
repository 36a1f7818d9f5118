<?php
/**
 * The service's HTTP API as this plugin uses it: intake, cms-status and /healthz, with
 * the site's key and, when a signing secret is set, the HMAC signature.
 *
 * @package comment-moderation
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * One request to the service and what its answer means for the outbox.
 */
final class Comment_Moderation_Client {

	/** Delivered: the item is done. */
	const DONE = 'done';
	/**
	 * Try again later: no connection, 5xx, 408, 429; and what a configuration to fix
	 * answers (401/403, a redirect, a 404 or 405 that is not the service's "no such
	 * comment"): dropping the item then would lose it for good.
	 */
	const RETRY = 'retry';
	/**
	 * The service will never take it (422, 400, 409, 413, ..., and a cms-status's
	 * problem+json 404: the service does not know the comment): keep the error, drop
	 * the item.
	 */
	const REFUSED = 'refused';

	/** Seconds one request may take: the first attempt runs inside a reader's request. */
	const TIMEOUT = 5;

	/**
	 * The signature header value over a raw body (the service's and Stripe's scheme).
	 *
	 * @param string $secret The shared secret.
	 * @param int    $time   Unix seconds.
	 * @param string $body   The raw body.
	 * @return string
	 */
	public static function signature( $secret, $time, $body ) {
		return 't=' . $time . ',v1=' . hash_hmac( 'sha256', $time . '.' . $body, $secret );
	}

	/**
	 * POST a JSON body to a path of the service.
	 *
	 * Answers array( 'outcome' => DONE|RETRY|REFUSED, 'code' => int (0: no answer),
	 * 'body' => decoded JSON or null, 'error' => a short text for the settings page and
	 * the logs: never a secret, an email or the comment's text ).
	 *
	 * @param string $path The path, e.g. '/v1/comments'.
	 * @param array  $data The JSON body.
	 * @return array<string, mixed>
	 */
	public static function post( $path, array $data ) {
		if ( ! Comment_Moderation_Config::ready() ) {
			return self::answer( self::RETRY, 0, null, 'not configured: set the service URL and the site key' );
		}
		$body    = wp_json_encode( $data, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
		$headers = array(
			'Content-Type'  => 'application/json',
			'Authorization' => 'Bearer ' . Comment_Moderation_Config::get( 'site_key' ),
		);
		$secret  = Comment_Moderation_Config::get( 'signing_secret' );
		if ( '' !== $secret ) {
			$headers['X-Moderation-Signature'] = self::signature( $secret, time(), $body );
		}
		$response = wp_remote_post(
			Comment_Moderation_Config::url() . $path,
			array(
				'timeout'     => self::TIMEOUT,
				'redirection' => 0,
				'headers'     => $headers,
				'body'        => $body,
				'user-agent'  => 'comment-moderation-wordpress/' . COMMENT_MODERATION_VERSION,
			)
		);
		if ( is_wp_error( $response ) ) {
			return self::answer( self::RETRY, 0, null, 'no answer: ' . $response->get_error_message() );
		}
		$code    = (int) wp_remote_retrieve_response_code( $response );
		$decoded = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		$decoded = is_array( $decoded ) ? $decoded : null;
		if ( $code >= 200 && $code < 300 ) {
			return self::answer( self::DONE, $code, $decoded, '' );
		}
		$error = 'HTTP ' . $code . self::problem_summary( $decoded );
		$type  = strtolower( (string) wp_remote_retrieve_header( $response, 'content-type' ) );
		$outcome = self::outcome( $path, $code, 0 === strpos( $type, 'application/problem+json' ) );
		if ( self::RETRY === $outcome && ( $code < 400 || 404 === $code || 405 === $code ) ) {
			$error .= ' (not the service\'s API there: check the service URL)';
		}
		return self::answer( $outcome, $code, $decoded, $error );
	}

	/**
	 * What an answer that is not a 2xx means for the item.
	 *
	 * @param string $path    The path the request went to.
	 * @param int    $code    The HTTP status.
	 * @param bool   $problem Whether the answer is problem+json (the service's own).
	 * @return string RETRY or REFUSED.
	 */
	public static function outcome( $path, $code, $problem ) {
		if ( $code < 400 || 401 === $code || 403 === $code || 405 === $code || 408 === $code || 429 === $code || $code >= 500 ) {
			return self::RETRY; // 1xx/3xx included: a redirect is never followed (a wrong URL).
		}
		if ( 404 === $code ) {
			// Only the service's own 404 to a cms-status means "no such comment"; a 404
			// elsewhere (intake) or from another server means a wrong service URL.
			$cms_status = '/cms-status' === substr( $path, -strlen( '/cms-status' ) );
			return $cms_status && $problem ? self::REFUSED : self::RETRY;
		}
		return self::REFUSED;
	}

	/**
	 * Whether the service answers GET /healthz with 200; and what it said otherwise.
	 *
	 * @return array{ok: bool, detail: string}
	 */
	public static function health() {
		if ( '' === Comment_Moderation_Config::url() ) {
			return array(
				'ok'     => false,
				'detail' => 'no service URL set',
			);
		}
		$response = wp_remote_get(
			Comment_Moderation_Config::url() . '/healthz',
			array(
				'timeout'     => 3,
				'redirection' => 0,
			)
		);
		if ( is_wp_error( $response ) ) {
			return array(
				'ok'     => false,
				'detail' => $response->get_error_message(),
			);
		}
		$code = (int) wp_remote_retrieve_response_code( $response );
		return array(
			'ok'     => 200 === $code,
			'detail' => 'HTTP ' . $code,
		);
	}

	/**
	 * A problem+json answer's title and the names of the fields at fault (not their
	 * messages, which may quote what was sent).
	 *
	 * @param array|null $problem The decoded answer.
	 * @return string
	 */
	private static function problem_summary( $problem ) {
		if ( ! is_array( $problem ) ) {
			return '';
		}
		$text = isset( $problem['title'] ) && is_string( $problem['title'] ) ? ': ' . $problem['title'] : '';
		if ( isset( $problem['errors'] ) && is_array( $problem['errors'] ) ) {
			$fields = array();
			foreach ( $problem['errors'] as $error ) {
				if ( is_array( $error ) && isset( $error['field'] ) && is_string( $error['field'] ) ) {
					$fields[] = $error['field'];
				}
			}
			if ( $fields ) {
				$text .= ' (' . implode( ', ', array_unique( $fields ) ) . ')';
			}
		}
		return substr( sanitize_text_field( $text ), 0, 300 );
	}

	/**
	 * One answer of post().
	 *
	 * @param string     $outcome DONE, RETRY or REFUSED.
	 * @param int        $code    The HTTP status (0: none).
	 * @param array|null $body    The decoded JSON answer.
	 * @param string     $error   What went wrong ('' when nothing).
	 * @return array<string, mixed>
	 */
	private static function answer( $outcome, $code, $body, $error ) {
		return array(
			'outcome' => $outcome,
			'code'    => $code,
			'body'    => $body,
			'error'   => $error,
		);
	}
}
