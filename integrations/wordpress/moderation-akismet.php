<?php
/**
 * Plugin Name: Comment moderation service as Akismet
 * Description: Sends the Akismet plugin's API calls (rest.akismet.com and
 *              <key>.rest.akismet.com) to a self-hosted comment moderation service that
 *              speaks Akismet's API. Set MODERATION_AKISMET_URL in wp-config.php.
 * Version: 0.1.0
 * License: MIT
 *
 * A must-use plugin: copy this one file into wp-content/mu-plugins/.
 *
 * The Akismet plugin addresses https://rest.akismet.com/1.1/<call> (http:// after an
 * SSL failure, or an IP address of rest.akismet.com with a "Host: rest.akismet.com"
 * header for its connectivity check). This filter answers such a request itself by
 * making the same request -- same method, path, query string, body, headers, timeout --
 * to MODERATION_AKISMET_URL instead, and handing back the service's answer. The Akismet
 * plugin puts the key in the body as api_key=...; a key in the host name
 * (<key>.rest.akismet.com, as other Akismet clients address it) is passed on as an
 * api_key query parameter, so it is not lost when the Host header becomes the
 * service's own.
 *
 * One addition: the service answers comment-check with the id it stored the comment
 * under (X-akismet-guid). The Akismet plugin drops it; this plugin keeps it as the
 * comment's meta moderation_akismet_guid and adds it as guid=... to that comment's
 * submit-spam / submit-ham, so the service finds the comment even when the Akismet
 * plugin no longer has the comment as it was submitted (it deletes that copy, its
 * akismet_as_submitted meta, after 15 days).
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/** The service's base URL, without a trailing slash. */
function moderation_akismet_service_url() {
	$url = defined( 'MODERATION_AKISMET_URL' ) ? (string) constant( 'MODERATION_AKISMET_URL' ) : 'http://127.0.0.1:8080';
	return rtrim( $url, '/' );
}

/**
 * The Akismet API key a host name carries: '' for rest.akismet.com, the key for
 * <key>.rest.akismet.com, null for any other host.
 */
function moderation_akismet_host_key( $host ) {
	$host = strtolower( rtrim( (string) $host, '.' ) );
	$host = preg_replace( '/:\d+$/', '', $host );
	if ( 'rest.akismet.com' === $host ) {
		return '';
	}
	if ( preg_match( '/^([a-z0-9]+)\.rest\.akismet\.com$/', $host, $m ) ) {
		return $m[1];
	}
	return null;
}

/** The value of a header in WordPress's request arguments, whatever its case. */
function moderation_akismet_header( $headers, $name ) {
	if ( ! is_array( $headers ) ) {
		return null;
	}
	foreach ( $headers as $key => $value ) {
		if ( is_string( $key ) && strtolower( $key ) === strtolower( $name ) ) {
			return $value;
		}
	}
	return null;
}

/**
 * pre_http_request: a request for the Akismet API is made to the service instead.
 *
 * @param false|array|WP_Error $pre  What an earlier filter answered, false if nothing.
 * @param array                $args The request's arguments, as WP_Http::request parsed them.
 * @param string               $url  The URL requested.
 * @return false|array|WP_Error
 */
function moderation_akismet_pre_http_request( $pre, $args, $url ) {
	if ( false !== $pre ) {
		return $pre;
	}
	$parts = wp_parse_url( $url );
	if ( ! is_array( $parts ) || empty( $parts['host'] ) ) {
		return $pre;
	}
	$key = moderation_akismet_host_key( $parts['host'] );
	if ( null === $key ) {
		// Akismet's connectivity check addresses rest.akismet.com's IP addresses with a Host header.
		$host_header = moderation_akismet_header( isset( $args['headers'] ) ? $args['headers'] : array(), 'Host' );
		if ( null === $host_header || ! filter_var( $parts['host'], FILTER_VALIDATE_IP ) ) {
			return $pre;
		}
		$key = moderation_akismet_host_key( $host_header );
		if ( null === $key ) {
			return $pre;
		}
	}

	$target = moderation_akismet_service_url() . ( isset( $parts['path'] ) ? $parts['path'] : '/' );
	if ( isset( $parts['query'] ) && '' !== $parts['query'] ) {
		$target .= '?' . $parts['query'];
	}
	if ( isset( $parts['path'] ) && preg_match( '#/submit-(spam|ham)$#', $parts['path'] ) ) {
		$args['body'] = moderation_akismet_with_guid( isset( $args['body'] ) ? $args['body'] : '' );
	}
	if ( '' !== $key ) {
		$body        = isset( $args['body'] ) ? $args['body'] : '';
		$in_body     = is_array( $body ) ? isset( $body['api_key'] ) : ( is_string( $body ) && preg_match( '/(^|&)api_key=/', $body ) );
		$in_query    = isset( $parts['query'] ) && preg_match( '/(^|&)api_key=/', $parts['query'] );
		if ( ! $in_body && ! $in_query ) {
			$target = add_query_arg( 'api_key', rawurlencode( $key ), $target );
		}
	}

	// The Host header the Akismet plugin sets names Akismet; the service gets its own.
	if ( isset( $args['headers'] ) && is_array( $args['headers'] ) ) {
		foreach ( array_keys( $args['headers'] ) as $name ) {
			if ( is_string( $name ) && 'host' === strtolower( $name ) ) {
				unset( $args['headers'][ $name ] );
			}
		}
	}
	// The URL is the site owner's own (often a private address): not an "unsafe" one.
	$args['reject_unsafe_urls'] = false;

	/**
	 * Filters the service URL one Akismet API request goes to.
	 *
	 * @param string $target The service URL (path and query string included).
	 * @param string $url    The rest.akismet.com URL the Akismet plugin asked for.
	 * @param array  $args   The request's arguments.
	 */
	$target = apply_filters( 'moderation_akismet_request_url', $target, $url, $args );

	return wp_remote_request( $target, $args );
}
add_filter( 'pre_http_request', 'moderation_akismet_pre_http_request', 10, 3 );

/**
 * A submit-spam / submit-ham body with the service's id of the comment (guid), when this
 * plugin kept one for the comment_ID it names and the body has no guid yet.
 *
 * @param string|array $body The request body.
 * @return string|array
 */
function moderation_akismet_with_guid( $body ) {
	if ( is_array( $body ) ) {
		$fields = $body;
	} elseif ( is_string( $body ) ) {
		parse_str( $body, $fields );
	} else {
		return $body;
	}
	if ( ! empty( $fields['guid'] ) || empty( $fields['comment_ID'] ) || ! is_scalar( $fields['comment_ID'] ) ) {
		return $body;
	}
	$guid = get_comment_meta( (int) $fields['comment_ID'], 'moderation_akismet_guid', true );
	if ( ! is_string( $guid ) || '' === $guid ) {
		return $body;
	}
	if ( is_array( $body ) ) {
		$body['guid'] = $guid;
		return $body;
	}
	return $body . ( '' === $body ? '' : '&' ) . 'guid=' . rawurlencode( $guid );
}

/** The guid of the comment being posted, from the service's comment-check answer. */
$GLOBALS['moderation_akismet_guid'] = null;

function moderation_akismet_forget_guid( $commentdata ) {
	$GLOBALS['moderation_akismet_guid'] = null;
	return $commentdata;
}
// Before the Akismet plugin's own check (priority 1) of each comment posted.
add_filter( 'preprocess_comment', 'moderation_akismet_forget_guid', 0 );

function moderation_akismet_check_response( $response ) {
	$headers = is_array( $response ) && isset( $response[0] ) ? $response[0] : null;
	$guid    = ( is_array( $headers ) || $headers instanceof ArrayAccess ) && isset( $headers['x-akismet-guid'] )
		? $headers['x-akismet-guid'] : '';
	if ( is_array( $guid ) ) {
		$guid = reset( $guid );
	}
	$GLOBALS['moderation_akismet_guid'] = is_string( $guid ) && '' !== $guid ? $guid : null;
}
add_action( 'akismet_comment_check_response', 'moderation_akismet_check_response' );

function moderation_akismet_keep_guid( $comment_id, $comment ) {
	$guid = $GLOBALS['moderation_akismet_guid'];
	if ( is_string( $guid ) && '' !== $guid ) {
		add_comment_meta( $comment_id, 'moderation_akismet_guid', $guid, true );
	}
	$GLOBALS['moderation_akismet_guid'] = null;
}
add_action( 'wp_insert_comment', 'moderation_akismet_keep_guid', 10, 2 );
