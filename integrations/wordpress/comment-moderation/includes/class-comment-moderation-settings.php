<?php
/**
 * Settings > Comment moderation: the settings not fixed by a wp-config.php constant,
 * whether the service answers, the callback URL to give it, and the outbox.
 *
 * @package comment-moderation
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The settings page.
 */
final class Comment_Moderation_Settings {

	const PAGE   = 'comment-moderation';
	const GROUP  = 'comment_moderation';
	const SECRET = array( 'site_key', 'signing_secret', 'callback_secret' );
	const LABELS = array(
		'url'             => 'Service URL',
		'site_key'        => 'Site API key',
		'signing_secret'  => 'Signing secret (optional)',
		'callback_secret' => 'Callback secret',
	);

	/**
	 * Hooks.
	 */
	public static function register() {
		add_action( 'admin_menu', array( __CLASS__, 'menu' ) );
		add_action( 'admin_init', array( __CLASS__, 'settings' ) );
		add_action( 'admin_post_comment_moderation_send_now', array( __CLASS__, 'send_now' ) );
	}

	/**
	 * The menu entry.
	 */
	public static function menu() {
		add_options_page( 'Comment moderation', 'Comment moderation', 'manage_options', self::PAGE, array( __CLASS__, 'render' ) );
	}

	/**
	 * The option, saved through options.php (which checks the nonce and manage_options).
	 */
	public static function settings() {
		register_setting(
			self::GROUP,
			Comment_Moderation_Config::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( __CLASS__, 'sanitize' ),
				'default'           => array(),
				'show_in_rest'      => false,
			)
		);
	}

	/**
	 * What the form sent, cleaned; an empty secret field keeps the saved secret.
	 *
	 * options.php has unslashed the values already.  A secret is kept as typed (but for
	 * surrounding blanks and control characters): sanitize_text_field() would drop its
	 * `%xx` sequences, `<`, runs of spaces, and wp_unslash() its backslashes, and the
	 * HMACs would then never match the service's.
	 *
	 * @param mixed $input The submitted values.
	 * @return array<string, string>
	 */
	public static function sanitize( $input ) {
		$saved = get_option( Comment_Moderation_Config::OPTION, array() );
		$saved = is_array( $saved ) ? $saved : array();
		$input = is_array( $input ) ? $input : array();
		$clean = array();
		foreach ( array_keys( self::LABELS ) as $name ) {
			$value = isset( $input[ $name ] ) && is_scalar( $input[ $name ] ) ? (string) $input[ $name ] : '';
			if ( 'url' === $name ) {
				$value = esc_url_raw( trim( sanitize_text_field( $value ) ), array( 'http', 'https' ) );
			} else {
				$value = trim( (string) preg_replace( '/[\x00-\x1f\x7f]/', '', $value ) );
			}
			if ( in_array( $name, self::SECRET, true ) && '' === $value && isset( $saved[ $name ] ) ) {
				$value = (string) $saved[ $name ];
			}
			$clean[ $name ] = $value;
		}
		return $clean;
	}

	/**
	 * "Send now": the whole outbox, back-off or not.
	 */
	public static function send_now() {
		if ( ! current_user_can( 'manage_options' ) ) {
			wp_die( esc_html__( 'Sorry, you are not allowed to do that.' ), 403 );
		}
		check_admin_referer( 'comment_moderation_send_now' );
		$sent = Comment_Moderation_Outbox::flush( true );
		wp_safe_redirect( add_query_arg( array( 'page' => self::PAGE, 'sent' => $sent ), admin_url( 'options-general.php' ) ) );
		exit;
	}

	/**
	 * The page.
	 */
	public static function render() {
		if ( ! current_user_can( 'manage_options' ) ) {
			return;
		}
		$health  = Comment_Moderation_Client::health();
		$waiting = Comment_Moderation_Outbox::count();
		$items   = Comment_Moderation_Outbox::items( 10 );
		?>
		<div class="wrap">
			<h1>Comment moderation</h1>
			<p>New comments are held here and decided in the moderation service's queue; decisions made on either side reach the other.</p>

			<h2>Status</h2>
			<table class="form-table" role="presentation">
				<tr>
					<th scope="row">Service</th>
					<td id="comment-moderation-health">
						<?php if ( $health['ok'] ) : ?>
							<span class="comment-moderation-ok">answers</span>
						<?php else : ?>
							<span class="comment-moderation-down">does not answer</span> (<?php echo esc_html( $health['detail'] ); ?>)
						<?php endif; ?>
						<?php if ( '' !== Comment_Moderation_Config::url() ) : ?>
							<br><code><?php echo esc_html( Comment_Moderation_Config::url() ); ?></code>
						<?php endif; ?>
					</td>
				</tr>
				<tr>
					<th scope="row">Waiting deliveries</th>
					<td id="comment-moderation-waiting">
						<strong><?php echo esc_html( (string) $waiting ); ?></strong>
						<?php if ( isset( $_GET['sent'] ) ) : // phpcs:ignore WordPress.Security.NonceVerification.Recommended ?>
							(<?php echo esc_html( (string) absint( $_GET['sent'] ) ); // phpcs:ignore WordPress.Security.NonceVerification.Recommended ?> sent just now)
						<?php endif; ?>
						<?php if ( $items ) : ?>
							<ul>
							<?php foreach ( $items as $item ) : ?>
								<li>
									<?php
									echo esc_html(
										sprintf(
											'%s of comment %d%s, %d attempts%s',
											$item['kind'],
											$item['comment_id'],
											null !== $item['status'] ? ' (' . $item['status'] . ')' : '',
											$item['attempts'],
											'' !== $item['last_error'] ? ', last: ' . $item['last_error'] : ''
										)
									);
									?>
								</li>
							<?php endforeach; ?>
							</ul>
						<?php endif; ?>
						<form method="post" action="<?php echo esc_url( admin_url( 'admin-post.php' ) ); ?>">
							<input type="hidden" name="action" value="comment_moderation_send_now">
							<?php wp_nonce_field( 'comment_moderation_send_now' ); ?>
							<?php submit_button( 'Send now', 'secondary', 'submit', false ); ?>
						</form>
					</td>
				</tr>
				<tr>
					<th scope="row">Callback URL</th>
					<td>
						<code><?php echo esc_html( Comment_Moderation_Config::callback_url() ); ?></code>
						<p class="description">The site's <code>callback_url</code> in the service's config, with the same <code>callback_secret</code> as here.</p>
					</td>
				</tr>
			</table>

			<h2>Settings</h2>
			<form method="post" action="options.php">
				<?php settings_fields( self::GROUP ); ?>
				<table class="form-table" role="presentation">
					<?php foreach ( self::LABELS as $name => $label ) : ?>
						<tr>
							<th scope="row"><label for="comment-moderation-<?php echo esc_attr( $name ); ?>"><?php echo esc_html( $label ); ?></label></th>
							<td>
								<?php if ( Comment_Moderation_Config::from_constant( $name ) ) : ?>
									Set in wp-config.php (<code><?php echo esc_html( Comment_Moderation_Config::CONSTANTS[ $name ] ); ?></code>).
								<?php elseif ( in_array( $name, self::SECRET, true ) ) : ?>
									<input type="password" class="regular-text" autocomplete="off"
										id="comment-moderation-<?php echo esc_attr( $name ); ?>"
										name="<?php echo esc_attr( Comment_Moderation_Config::OPTION . '[' . $name . ']' ); ?>" value="">
									<p class="description">
										<?php echo esc_html( '' !== Comment_Moderation_Config::get( $name ) ? 'Set; leave empty to keep it.' : 'Not set.' ); ?>
									</p>
								<?php else : ?>
									<input type="url" class="regular-text"
										id="comment-moderation-<?php echo esc_attr( $name ); ?>"
										name="<?php echo esc_attr( Comment_Moderation_Config::OPTION . '[' . $name . ']' ); ?>"
										value="<?php echo esc_url( Comment_Moderation_Config::get( $name ) ); ?>">
								<?php endif; ?>
							</td>
						</tr>
					<?php endforeach; ?>
				</table>
				<?php submit_button(); ?>
			</form>
		</div>
		<?php
	}
}
