<?php
/**
 * WordPress's side of the one queue: new comments are held and sent to the service;
 * every status change made in WordPress (wp-admin's links, AJAX and bulk actions, the
 * REST API, WP-CLI: all of them end in wp_set_comment_status() or wp_delete_comment())
 * is sent to the service's cms-status; an edit of a comment's text or author URL
 * (wp-admin's Edit screen, Quick Edit, the REST API: all of them end in
 * wp_update_comment()) is sent again to intake under the same id, which the service
 * takes as an edit and moderates again; and a status the service decided is applied
 * here without being reported back.
 *
 * Comment meta kept:
 * - `moderation_sync`  '1' once the comment was queued for the service (only such
 *   comments have their status changes sent; older comments are left alone);
 * - `moderation_id`    the service's id of the comment (from its 202 answer);
 * - `moderation_error` why the service refused it (a 422: the comment stays held);
 * - `moderation_local_status` the service's name of the status an editor last set
 *   here (cleared when a status the service decided is applied): a callback older
 *   than that decision does not undo it (see the callbacks class);
 * - `moderation_local_row` and `moderation_edit_row` the outbox rows of that status
 *   and of the latest edit sent: row ids grow, so they tell whether the editor's
 *   decision came after the edit (then the edit's callback does not undo it);
 * - `moderation_delivery` the callbacks applied (see the callbacks class).
 *
 * @package comment-moderation
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Hooks on comments.
 */
final class Comment_Moderation_Sync {

	/**
	 * Set while a status decided by the service is being applied: the hooks below must
	 * not send it back.
	 *
	 * @var bool
	 */
	private static $applying = false;

	/**
	 * A comment's text and author URL before the wp_update_comment() under way, by
	 * comment id: what edit_comment compares the saved ones with.
	 *
	 * @var array<int, array{0: string, 1: string}>
	 */
	private static $before_update = array();

	/**
	 * WordPress's status => the service's status.
	 */
	const TO_SERVICE = array(
		'0'        => 'pending',
		'1'        => 'approved',
		'spam'     => 'spam',
		'trash'    => 'rejected',
		// transition_comment_status names.
		'approved'   => 'approved',
		'unapproved' => 'pending',
	);

	/**
	 * Hooks.
	 */
	public static function register() {
		add_filter( 'pre_comment_approved', array( __CLASS__, 'hold' ), 99, 2 );
		add_action( 'wp_insert_comment', array( __CLASS__, 'inserted' ), 10, 2 );
		add_action( 'transition_comment_status', array( __CLASS__, 'transition' ), 10, 3 );
		add_action( 'delete_comment', array( __CLASS__, 'deleting' ), 10, 2 );
		// Last, so that what it keeps is the comment before any filter's change too.
		add_filter( 'wp_update_comment_data', array( __CLASS__, 'updating' ), PHP_INT_MAX, 3 );
		add_action( 'edit_comment', array( __CLASS__, 'edited' ), 10, 1 );
	}

	/**
	 * Whether a comment of this type goes to the service (comments, not pingbacks,
	 * trackbacks or notes).
	 *
	 * @param string $type The comment_type.
	 * @return bool
	 */
	private static function sent_type( $type ) {
		$types = (array) apply_filters( 'comment_moderation_comment_types', array( '', 'comment' ) );
		return in_array( (string) $type, $types, true );
	}

	/**
	 * `pre_comment_approved`: a new comment waits for the service, also when WordPress
	 * would let it through because its author had a comment approved before (the
	 * service's own rules decide that now).  A moderator's own comment is not held;
	 * a verdict of WordPress's own checks (spam, trash, an error) stands.
	 *
	 * @param int|string|WP_Error $approved    WordPress's verdict.
	 * @param array               $commentdata The comment.
	 * @return int|string|WP_Error
	 */
	public static function hold( $approved, $commentdata ) {
		if ( ! Comment_Moderation_Config::ready() || is_wp_error( $approved ) ) {
			return $approved;
		}
		if ( 1 !== $approved && '1' !== $approved ) {
			return $approved;
		}
		if ( ! self::sent_type( $commentdata['comment_type'] ?? '' ) ) {
			return $approved;
		}
		$user_id = isset( $commentdata['user_id'] ) ? (int) $commentdata['user_id'] : 0;
		if ( $user_id && user_can( $user_id, 'moderate_comments' ) ) {
			return $approved;
		}
		return 0;
	}

	/**
	 * `wp_insert_comment`: queue the new comment's intake; when WordPress did not leave
	 * it held (a moderator's own comment, WordPress's own spam check), queue its status
	 * as the CMS's decision right behind.
	 *
	 * @param int        $id      The comment's id.
	 * @param WP_Comment $comment The comment.
	 */
	public static function inserted( $id, $comment ) {
		if ( ! Comment_Moderation_Config::ready() || ! self::sent_type( $comment->comment_type ) ) {
			return;
		}
		if ( ! apply_filters( 'comment_moderation_send_comment', true, $comment ) ) {
			return;
		}
		update_comment_meta( $id, 'moderation_sync', '1' );
		Comment_Moderation_Outbox::enqueue( $id, 'intake', array( 'body' => self::intake_body( $comment ) ) );
		$status = (string) $comment->comment_approved;
		if ( '0' !== $status && isset( self::TO_SERVICE[ $status ] ) ) {
			$user = $comment->user_id ? get_userdata( (int) $comment->user_id ) : false;
			update_comment_meta( $id, 'moderation_local_status', self::TO_SERVICE[ $status ] );
			$row = Comment_Moderation_Outbox::enqueue(
				$id,
				'status',
				array(
					'status' => self::TO_SERVICE[ $status ],
					'actor'  => $user ? $user->user_login : '',
				)
			);
			update_comment_meta( $id, 'moderation_local_row', $row );
		}
	}

	/**
	 * `wp_update_comment_data`: keep the comment's text and author URL as they were,
	 * for edit_comment (which fires once the row is saved, with only the new values).
	 *
	 * @param array|WP_Error $data       The new data.
	 * @param array          $old        The comment as it is.
	 * @param array          $commentarr What the caller passed.
	 * @return array|WP_Error The data, unchanged.
	 */
	public static function updating( $data, $old, $commentarr ) {
		unset( $commentarr );
		if ( ! is_wp_error( $data ) && is_array( $old ) && isset( $old['comment_ID'] ) ) {
			self::$before_update[ (int) $old['comment_ID'] ] = array(
				(string) ( $old['comment_content'] ?? '' ),
				(string) ( $old['comment_author_url'] ?? '' ),
			);
		}
		return $data;
	}

	/**
	 * `edit_comment`: a comment the service has, whose text or author URL changed, is
	 * sent to intake again under its id: the service scores it again and (unless the
	 * site trusts edits of approved comments) puts it back to pending, and says so in
	 * its answer and a `comment.edited` callback, both applied here.  Other changes (the
	 * name, the email, the date) are not edits for the service and are not sent.  It
	 * fires before the status transition of the same save, so a status an editor chose
	 * in the same form is queued behind the edit and is the later decision on both sides.
	 *
	 * @param int|string $id The comment's id.
	 */
	public static function edited( $id ) {
		$id     = (int) $id;
		$before = self::$before_update[ $id ] ?? null;
		unset( self::$before_update[ $id ] );
		// Never an echo: what the service decided is applied with wp_set_comment_status(),
		// which does not edit, and a future apply() that did would be skipped here too.
		if ( self::$applying || null === $before || ! Comment_Moderation_Config::ready() ) {
			return;
		}
		$comment = get_comment( $id );
		if ( ! $comment || ! self::sent_type( $comment->comment_type ) || ! self::synced( $comment ) ) {
			return;
		}
		if ( array( (string) $comment->comment_content, (string) $comment->comment_author_url ) === $before ) {
			return;
		}
		if ( ! apply_filters( 'comment_moderation_send_comment', true, $comment ) ) {
			return;
		}
		$row = Comment_Moderation_Outbox::enqueue(
			$id,
			'intake',
			array(
				'body' => self::intake_body( $comment ),
				'edit' => true,
			)
		);
		update_comment_meta( $id, 'moderation_edit_row', $row );
	}

	/**
	 * The intake body of a comment (the service's CommentSubmission).
	 *
	 * @param WP_Comment $comment The comment.
	 * @return array<string, string>
	 */
	public static function intake_body( $comment ) {
		$post_url = get_permalink( (int) $comment->comment_post_ID );
		$body     = array(
			'id'           => (string) $comment->comment_ID,
			'post_id'      => (string) $comment->comment_post_ID,
			'post_url'     => $post_url ? $post_url : '',
			'parent_id'    => $comment->comment_parent ? (string) $comment->comment_parent : '',
			'author_name'  => (string) $comment->comment_author,
			'author_email' => (string) $comment->comment_author_email,
			'author_url'   => (string) $comment->comment_author_url,
			'author_ip'    => (string) $comment->comment_author_IP,
			'user_agent'   => (string) $comment->comment_agent,
			'content'      => (string) $comment->comment_content,
		);
		if ( '0000-00-00 00:00:00' !== $comment->comment_date_gmt && '' !== (string) $comment->comment_date_gmt ) {
			$body['submitted_at'] = str_replace( ' ', 'T', (string) $comment->comment_date_gmt ) . 'Z';
		}
		// The service wants absent rather than empty optional fields.
		foreach ( array( 'post_url', 'parent_id', 'author_url', 'author_ip', 'user_agent' ) as $optional ) {
			if ( '' === $body[ $optional ] ) {
				unset( $body[ $optional ] );
			}
		}
		return (array) apply_filters( 'comment_moderation_intake_body', $body, $comment );
	}

	/**
	 * `transition_comment_status`: a status set in WordPress is the CMS's decision.
	 *
	 * @param string     $new_status The new status ('approved', 'unapproved', 'spam', 'trash', 'delete').
	 * @param string     $old_status The old one.
	 * @param WP_Comment $comment    The comment.
	 */
	public static function transition( $new_status, $old_status, $comment ) {
		if ( self::$applying || ! isset( self::TO_SERVICE[ (string) $new_status ] ) || ! self::synced( $comment ) ) {
			return;
		}
		self::send_status( $comment, self::TO_SERVICE[ (string) $new_status ] );
	}

	/**
	 * `delete_comment` (before the row and its meta are gone): deleted is rejected.
	 * Spam and trash are left as they are (deleting is then only cleaning up).
	 *
	 * @param int|string $id      The comment's id.
	 * @param WP_Comment $comment The comment.
	 */
	public static function deleting( $id, $comment ) {
		if ( self::$applying || ! self::synced( $comment ) ) {
			return;
		}
		if ( in_array( (string) $comment->comment_approved, array( 'spam', 'trash' ), true ) ) {
			return;
		}
		self::send_status( $comment, 'rejected' );
	}

	/**
	 * Queue a cms-status of the current user's decision.
	 *
	 * @param WP_Comment $comment The comment.
	 * @param string     $status  The service's status.
	 */
	private static function send_status( $comment, $status ) {
		$user = wp_get_current_user();
		update_comment_meta( (int) $comment->comment_ID, 'moderation_local_status', $status );
		$row = Comment_Moderation_Outbox::enqueue(
			(int) $comment->comment_ID,
			'status',
			array(
				'status'     => $status,
				'actor'      => $user && $user->exists() ? $user->user_login : '',
				'service_id' => (string) get_comment_meta( (int) $comment->comment_ID, 'moderation_id', true ),
			)
		);
		update_comment_meta( (int) $comment->comment_ID, 'moderation_local_row', $row );
	}

	/**
	 * A comment's WordPress status in the service's words ('' for one it has no word
	 * for, e.g. `post-trashed`).
	 *
	 * @param WP_Comment $comment The comment.
	 * @return string
	 */
	public static function service_status( $comment ) {
		$status = (string) $comment->comment_approved;
		return '0' === $status || '1' === $status || 'spam' === $status || 'trash' === $status
			? self::TO_SERVICE[ $status ]
			: '';
	}

	/**
	 * Whether the service has (or will have) this comment.
	 *
	 * @param WP_Comment $comment The comment.
	 * @return bool
	 */
	public static function synced( $comment ) {
		$id = (int) $comment->comment_ID;
		return '1' === get_comment_meta( $id, 'moderation_sync', true )
			|| '' !== (string) get_comment_meta( $id, 'moderation_id', true );
	}

	/**
	 * The service took the comment: keep its id, and apply a site rule's verdict at
	 * once, unless WordPress decided the comment meanwhile (then its status is queued
	 * right behind and wins).  The answer to an edit (`edited`: true) is the status the
	 * edit left (pending, as a rule: the comment is held here at the end of the editor's
	 * request, without waiting for the callback), under the same rule as that callback;
	 * an edit's answer without `edited` (a retry the service answered as a replay) is not
	 * applied: its status may be older than decisions made since, and the callback of the
	 * edit follows anyway.
	 *
	 * @param int   $comment_id The comment.
	 * @param array $answer     The 202 answer.
	 * @param bool  $edit       Whether the send was an edit.
	 */
	public static function intake_answered( $comment_id, array $answer, $edit = false ) {
		$comment = get_comment( $comment_id );
		if ( ! $comment ) {
			return;
		}
		if ( isset( $answer['id'] ) && is_string( $answer['id'] ) && '' !== $answer['id'] ) {
			update_comment_meta( $comment_id, 'moderation_id', $answer['id'] );
		}
		delete_comment_meta( $comment_id, 'moderation_error' );
		$status = isset( $answer['status'] ) ? (string) $answer['status'] : '';
		if ( $edit ) {
			if ( true === ( $answer['edited'] ?? null )
				&& '' === Comment_Moderation_Callbacks::later_decision_here( $comment, '', 'comment.edited' ) ) {
				self::apply( $comment, $status );
			}
			return;
		}
		if ( '0' === (string) $comment->comment_approved && in_array( $status, array( 'approved', 'spam' ), true ) ) {
			self::apply( $comment, $status );
		}
	}

	/**
	 * The service refused a send for good.  A refused intake (invalid fields) leaves the
	 * comment held in WordPress, with the reason in its meta, for a person to decide;
	 * its later status changes are not sent.
	 *
	 * A refused edit leaves the comment as the service has it (the previous text), and
	 * its status changes are still sent.
	 *
	 * @param int    $comment_id The comment.
	 * @param string $kind       'intake', 'edit' or 'status'.
	 * @param string $error      The reason.
	 */
	public static function refused( $comment_id, $kind, $error ) {
		if ( ! get_comment( $comment_id ) ) {
			return;
		}
		update_comment_meta( $comment_id, 'moderation_error', $kind . ': ' . $error );
		if ( 'intake' === $kind ) {
			delete_comment_meta( $comment_id, 'moderation_sync' );
		}
	}

	/**
	 * Set a status the service decided, without sending it back.
	 *
	 * @param WP_Comment $comment The comment.
	 * @param string     $status  'approved', 'spam', 'rejected' or 'pending'.
	 * @return bool Whether WordPress's status changed.
	 */
	public static function apply( $comment, $status ) {
		$current = (string) $comment->comment_approved;
		$wanted  = array(
			'approved' => '1',
			'pending'  => '0',
			'spam'     => 'spam',
			'rejected' => 'trash',
		);
		if ( ! isset( $wanted[ $status ] ) ) {
			return false;
		}
		// The service's decision is now the latest one: no editor's decision here stands.
		delete_comment_meta( (int) $comment->comment_ID, 'moderation_local_status' );
		delete_comment_meta( (int) $comment->comment_ID, 'moderation_local_row' );
		if ( $wanted[ $status ] === $current ) {
			return false;
		}
		self::$applying = true;
		try {
			switch ( $status ) {
				case 'spam':
					$done = wp_spam_comment( $comment );
					break;
				case 'rejected':
					$done = wp_trash_comment( $comment );
					break;
				default:
					$done = wp_set_comment_status( $comment, 'approved' === $status ? 'approve' : 'hold' );
					if ( $done && in_array( $current, array( 'spam', 'trash' ), true ) ) {
						delete_comment_meta( (int) $comment->comment_ID, '_wp_trash_meta_status' );
						delete_comment_meta( (int) $comment->comment_ID, '_wp_trash_meta_time' );
					}
			}
		} finally {
			self::$applying = false;
		}
		return (bool) $done;
	}
}
