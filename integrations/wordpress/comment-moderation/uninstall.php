<?php
/**
 * Deleting the plugin (not deactivating it) removes its table, options and cron
 * events.  Comment meta (moderation_id and the others) stays: it names the service's
 * records of those comments.
 *
 * @package comment-moderation
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

global $wpdb;
$comment_moderation_table = $wpdb->prefix . 'comment_moderation_outbox';
$wpdb->query( "DROP TABLE IF EXISTS {$comment_moderation_table}" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared
delete_option( 'comment_moderation_settings' );
delete_option( 'comment_moderation_db_version' );
wp_clear_scheduled_hook( 'comment_moderation_flush' );
wp_clear_scheduled_hook( 'comment_moderation_cron' );
