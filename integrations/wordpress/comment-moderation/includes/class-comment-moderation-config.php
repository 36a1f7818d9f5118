<?php
/**
 * The plugin's four settings: a constant of wp-config.php when defined, otherwise the
 * value saved on Settings > Comment moderation.
 *
 * @package comment-moderation
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Where each setting comes from.
 */
final class Comment_Moderation_Config {

	const OPTION = 'comment_moderation_settings';

	/**
	 * Setting name => the wp-config.php constant that overrides it.
	 */
	const CONSTANTS = array(
		'url'             => 'MODERATION_URL',
		'site_key'        => 'MODERATION_SITE_KEY',
		'signing_secret'  => 'MODERATION_SIGNING_SECRET',
		'callback_secret' => 'MODERATION_CALLBACK_SECRET',
	);

	/**
	 * One setting's value ('' when unset).
	 *
	 * @param string $name One of the keys of CONSTANTS.
	 * @return string
	 */
	public static function get( $name ) {
		$constant = self::CONSTANTS[ $name ];
		if ( defined( $constant ) ) {
			return trim( (string) constant( $constant ) );
		}
		$saved = get_option( self::OPTION, array() );
		return is_array( $saved ) && isset( $saved[ $name ] ) ? trim( (string) $saved[ $name ] ) : '';
	}

	/**
	 * Whether a setting is fixed by its constant (the settings page then shows no field).
	 *
	 * @param string $name One of the keys of CONSTANTS.
	 * @return bool
	 */
	public static function from_constant( $name ) {
		return defined( self::CONSTANTS[ $name ] );
	}

	/**
	 * The service's base URL, without a trailing slash.
	 *
	 * @return string
	 */
	public static function url() {
		return untrailingslashit( self::get( 'url' ) );
	}

	/**
	 * Whether comments can be sent at all: the service's URL and the site's key are set.
	 *
	 * @return bool
	 */
	public static function ready() {
		return '' !== self::url() && '' !== self::get( 'site_key' );
	}

	/**
	 * The address the service's callback_url must name.
	 *
	 * @return string
	 */
	public static function callback_url() {
		return rest_url( 'comment-moderation/v1/events' );
	}
}
