<?php
/**
 * Deleting the plugin (not deactivating it) removes, on every site of a network, its
 * table, options, cron events and its own bookkeeping in comment meta
 * (`moderation_sync`, `moderation_local_status`, `moderation_local_row`,
 * `moderation_edit_row`, `moderation_delivery`, `moderation_error`).  `moderation_id` stays: it names the service's record of each
 * comment, should the plugin be installed again.
 *
 * @package comment-moderation
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

/**
 * Remove what the plugin keeps on the current site.
 */
function comment_moderation_uninstall_site() {
	global $wpdb;
	$table = $wpdb->prefix . 'comment_moderation_outbox';
	$wpdb->query( "DROP TABLE IF EXISTS `{$table}`" ); // phpcs:ignore WordPress.DB.PreparedSQL.InterpolatedNotPrepared,WordPress.DB.DirectDatabaseQuery.SchemaChange
	delete_option( 'comment_moderation_settings' );
	delete_option( 'comment_moderation_db_version' );
	wp_clear_scheduled_hook( 'comment_moderation_flush' );
	wp_clear_scheduled_hook( 'comment_moderation_cron' );
	foreach ( array( 'moderation_sync', 'moderation_local_status', 'moderation_local_row', 'moderation_edit_row', 'moderation_delivery', 'moderation_error' ) as $key ) {
		delete_metadata( 'comment', 0, $key, '', true );
	}
}

if ( is_multisite() ) {
	foreach ( get_sites( array( 'fields' => 'ids', 'number' => 0 ) ) as $comment_moderation_site ) {
		switch_to_blog( (int) $comment_moderation_site );
		comment_moderation_uninstall_site();
		restore_current_blog();
	}
} else {
	comment_moderation_uninstall_site();
}
