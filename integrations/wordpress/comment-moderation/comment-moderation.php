<?php
/**
 * Plugin Name:       Comment moderation (one queue)
 * Description:       Makes the comment moderation service the site's moderation queue: every new comment is sent to it and held until it is decided there; the service's decisions come back as signed callbacks; approvals, spam and trash in wp-admin are sent to it. Nothing is lost while either side is down.
 * Version:           1.0.0
 * Requires at least: 6.0
 * Requires PHP:      7.4
 * License:           MIT
 * Text Domain:       comment-moderation
 *
 * Configuration (wp-config.php; each constant absent is read from Settings > Comment
 * moderation instead):
 *
 *     define( 'MODERATION_URL', 'https://moderation.example.com' );  // the service
 *     define( 'MODERATION_SITE_KEY', '...' );          // the site's api_key
 *     define( 'MODERATION_SIGNING_SECRET', '...' );    // optional: the site's signing_secret
 *     define( 'MODERATION_CALLBACK_SECRET', '...' );   // the site's callback_secret
 *
 * and, in the service's config, the site's callback_url is this site's
 * /wp-json/comment-moderation/v1/events (or ?rest_route=/comment-moderation/v1/events
 * when permalinks are plain; the settings page shows the right one).
 *
 * See integrations/wordpress/README.md and docs/cms-integration.md.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

define( 'COMMENT_MODERATION_VERSION', '1.0.0' );
define( 'COMMENT_MODERATION_FILE', __FILE__ );

require_once __DIR__ . '/includes/class-comment-moderation-config.php';
require_once __DIR__ . '/includes/class-comment-moderation-client.php';
require_once __DIR__ . '/includes/class-comment-moderation-outbox.php';
require_once __DIR__ . '/includes/class-comment-moderation-sync.php';
require_once __DIR__ . '/includes/class-comment-moderation-callbacks.php';
require_once __DIR__ . '/includes/class-comment-moderation-settings.php';

register_activation_hook( __FILE__, array( 'Comment_Moderation_Outbox', 'activate' ) );
register_deactivation_hook( __FILE__, array( 'Comment_Moderation_Outbox', 'deactivate' ) );

Comment_Moderation_Outbox::register();
Comment_Moderation_Sync::register();
Comment_Moderation_Callbacks::register();
Comment_Moderation_Settings::register();

/**
 * Send what the outbox holds now.  With $force, also the items still waiting out their
 * back-off (the settings page's "Send now"; tests).  Answers how many were delivered.
 *
 * The same runs as the action `comment_moderation_flush` (WP-cron's event).
 *
 * @param bool $force Ignore each item's back-off.
 * @return int
 */
function comment_moderation_flush( $force = false ) {
	return Comment_Moderation_Outbox::flush( (bool) $force );
}

/**
 * The items waiting in the outbox (oldest first), without their bodies.
 *
 * @return array<int, array<string, mixed>>
 */
function comment_moderation_outbox() {
	return Comment_Moderation_Outbox::items();
}
