<?php
/**
 * The plugin's hooks: analysis on save, the editor's meta box, sending candidates to the desk, oEmbed,
 * the webhook receiver and the settings page.
 *
 * Post meta it keeps (all private, underscore-prefixed):
 *   _claimledger_analysis     the service's analysis of the post, JSON
 *   _claimledger_status       "done", "queued" (a long article analysed as a job) or "error: ..."
 *   _claimledger_hash         hash of the content last analysed, so an unchanged save is not sent again
 *   _claimledger_job          the job id of a queued analysis
 *   _claimledger_claim        one row per ledger claim the post matches, contradicts or sent
 *   _claimledger_new_verdict  JSON list of {claim_id, verdict, at} for quoted claims reviewed since
 *   _claimledger_sent         JSON list of claim ids the desk stored from this post
 */

if (!defined('ABSPATH')) {
    exit;
}

final class ClaimLedger_Plugin
{
    public const REST_NAMESPACE = 'claimledger/v1';

    public static function boot(): void
    {
        add_action('init', [self::class, 'register_oembed']);
        add_filter('http_request_host_is_external', [self::class, 'allow_service_host'], 10, 2);
        add_filter('http_allowed_safe_ports', [self::class, 'allow_service_port'], 10, 2);
        add_action('wp_after_insert_post', [self::class, 'on_save'], 10, 3);
        add_action('add_meta_boxes', [self::class, 'add_meta_box']);
        add_action('rest_api_init', [self::class, 'register_routes']);
        add_action('admin_menu', [self::class, 'add_settings_page']);
        add_action('admin_init', [self::class, 'register_settings']);
        add_action('admin_enqueue_scripts', [self::class, 'enqueue_editor_script']);
        add_action('admin_notices', [self::class, 'new_verdict_notice']);
    }

    private static function service_url(): string
    {
        return rtrim((string) get_option('claimledger_service_url', ''), '/');
    }

    // --- oEmbed ------------------------------------------------------------------------------------------

    /** Let a pasted claimledger card URL embed: the service's /embed/ pages answered by its /oembed. */
    public static function register_oembed(): void
    {
        $base = self::service_url();
        if ($base !== '') {
            wp_oembed_add_provider($base . '/embed/*', $base . '/oembed', false);
        }
    }

    /** Let WordPress's safe HTTP calls (oEmbed uses them) reach the configured service even on a private address. */
    public static function allow_service_host($external, $host)
    {
        $service_host = wp_parse_url(self::service_url(), PHP_URL_HOST);
        return ($service_host && strtolower((string) $host) === strtolower($service_host)) ? true : $external;
    }

    /** Let those calls use the service's port too, when it runs on one other than 80, 443 or 8080. */
    public static function allow_service_port($ports, $host)
    {
        $service = wp_parse_url(self::service_url());
        if (!empty($service['host']) && !empty($service['port']) && strtolower((string) $host) === strtolower($service['host'])) {
            $ports = array_merge((array) $ports, [(int) $service['port']]);
        }
        return $ports;
    }

    // --- analysis on save -------------------------------------------------------------------------------

    private static function analysed_types(): array
    {
        return apply_filters('claimledger_post_types', ['post']);
    }

    public static function on_save(int $post_id, WP_Post $post, bool $update): void
    {
        if (wp_is_post_revision($post_id) || wp_is_post_autosave($post_id)) {
            return;
        }
        if (!in_array($post->post_type, self::analysed_types(), true) || in_array($post->post_status, ['auto-draft', 'trash'], true)) {
            return;
        }
        $html = '<h1>' . esc_html($post->post_title) . '</h1>' . $post->post_content;
        $hash = md5($html);
        if (trim(wp_strip_all_tags($post->post_content)) === '' || get_post_meta($post_id, '_claimledger_hash', true) === $hash) {
            return;
        }
        self::analyze_post($post, $html, $hash);
    }

    private static function analyze_post(WP_Post $post, string $html, string $hash): void
    {
        $client = ClaimLedger_Client::from_settings();
        $published_on = $post->post_date_gmt && $post->post_date_gmt !== '0000-00-00 00:00:00' ? substr($post->post_date_gmt, 0, 10) : null;
        $answer = $client->analyze($html, get_permalink($post), $published_on);
        if ($answer['status'] === 200) {
            self::store_analysis($post->ID, $answer['body']);
            update_post_meta($post->ID, '_claimledger_hash', $hash);
            delete_post_meta($post->ID, '_claimledger_job');
        } elseif ($answer['status'] === 202) {
            update_post_meta($post->ID, '_claimledger_status', 'queued');
            update_post_meta($post->ID, '_claimledger_job', (int) ($answer['body']['id'] ?? 0));
            update_post_meta($post->ID, '_claimledger_hash', $hash);
        } else {
            $detail = $answer['body']['detail'] ?? ('HTTP ' . $answer['status']);
            update_post_meta($post->ID, '_claimledger_status', 'error: ' . sanitize_text_field((string) $detail));
        }
    }

    private static function store_analysis(int $post_id, array $analysis): void
    {
        update_post_meta($post_id, '_claimledger_analysis', wp_slash(wp_json_encode($analysis)));
        update_post_meta($post_id, '_claimledger_status', 'done');
        $ids = [];
        foreach ($analysis['notes'] ?? [] as $note) {
            foreach (array_merge($note['matches'] ?? [], $note['contradicts'] ?? []) as $claim) {
                $ids[] = (int) $claim['claim_id'];
            }
        }
        self::set_claim_ids($post_id, array_merge($ids, self::json_meta($post_id, '_claimledger_sent')));
    }

    private static function set_claim_ids(int $post_id, array $ids): void
    {
        delete_post_meta($post_id, '_claimledger_claim');
        foreach (array_unique(array_filter($ids)) as $id) {
            add_post_meta($post_id, '_claimledger_claim', (string) $id);
        }
    }

    private static function json_meta(int $post_id, string $key): array
    {
        $decoded = json_decode((string) get_post_meta($post_id, $key, true), true);
        return is_array($decoded) ? $decoded : [];
    }

    // --- the editor's meta box --------------------------------------------------------------------------

    public static function add_meta_box(): void
    {
        foreach (self::analysed_types() as $type) {
            add_meta_box('claimledger', 'claimledger', [self::class, 'print_meta_box'], $type, 'normal', 'high');
        }
    }

    public static function print_meta_box(WP_Post $post): void
    {
        echo self::meta_box_html($post->ID); // phpcs:ignore WordPress.Security.EscapeOutput -- built escaped below
    }

    /** Return the meta box's HTML for a post: every value in it escaped. */
    public static function meta_box_html(int $post_id): string
    {
        $status = (string) get_post_meta($post_id, '_claimledger_status', true);
        $out = '<div class="claimledger-box" data-post="' . esc_attr((string) $post_id) . '">';
        foreach (self::json_meta($post_id, '_claimledger_new_verdict') as $change) {
            $out .= '<p class="claimledger-new-verdict"><strong>New verdict:</strong> claim ' . esc_html((string) $change['claim_id'])
                . ' is now <strong>' . esc_html((string) $change['verdict']) . '</strong>.</p>';
        }
        if ($status === '') {
            return $out . '<p>Save the post to check it against the ledger.</p></div>';
        }
        if ($status === 'queued') {
            return $out . '<p class="claimledger-queued">A long article: claimledger is analysing it and will report back.</p></div>';
        }
        if (str_starts_with($status, 'error')) {
            return $out . '<p class="claimledger-error">' . esc_html($status) . '</p></div>';
        }
        $analysis = self::json_meta($post_id, '_claimledger_analysis');
        $matches = $conflicts = $candidates = '';
        foreach ($analysis['notes'] ?? [] as $index => $note) {
            $sentence = esc_html((string) $note['sentence']);
            foreach ($note['matches'] ?? [] as $claim) {
                $verdict = $claim['verdict'] ?? null;
                $matches .= '<li class="claimledger-match" data-claim="' . esc_attr((string) $claim['claim_id']) . '">'
                    . '<q>' . $sentence . '</q> matches claim ' . esc_html((string) $claim['claim_id'])
                    . ' by ' . esc_html((string) $claim['speaker']) . ': <em>' . esc_html((string) $claim['text']) . '</em> '
                    . '<span class="claimledger-verdict">' . esc_html($verdict ? $verdict : 'not yet reviewed') . '</span>';
                if (!empty($claim['fact_check']['embed'])) {
                    $out_url = self::service_url() . $claim['fact_check']['embed'];
                    $matches .= ' <a href="' . esc_url($out_url) . '" target="_blank" rel="noopener">fact-check</a>';
                }
                $matches .= '</li>';
            }
            foreach ($note['contradicts'] ?? [] as $claim) {
                $conflicts .= '<li class="claimledger-conflict" data-claim="' . esc_attr((string) $claim['claim_id']) . '">'
                    . '<q>' . $sentence . '</q> contradicts claim ' . esc_html((string) $claim['claim_id'])
                    . ' by ' . esc_html((string) $claim['speaker']) . ': <em>' . esc_html((string) $claim['text']) . '</em> '
                    . '(' . esc_html((string) $claim['reason']) . ')</li>';
            }
            $candidate = $note['candidate'] ?? null;
            if ($candidate) {
                $speaker = $candidate['speaker'];
                $known = $speaker['id'] ? ' (in the ledger)' : ' (new speaker)';
                $candidates .= '<li class="claimledger-candidate"><label><input type="checkbox" name="claimledger_candidate[]" value="'
                    . esc_attr((string) $index) . '"> <strong class="claimledger-speaker">' . esc_html((string) $speaker['name']) . '</strong>'
                    . esc_html($known)
                    . ($candidate['role'] ? ', <span class="claimledger-role">' . esc_html((string) $candidate['role']) . '</span>' : '')
                    . ': <span class="claimledger-statement">' . esc_html((string) $candidate['statement']) . '</span>'
                    . ' <small>check-worthiness ' . esc_html(number_format((float) $candidate['checkworthiness'], 2)) . '</small>'
                    . '</label></li>';
            }
        }
        $out .= '<h4>Checked in the ledger</h4>' . ($matches !== '' ? '<ul>' . $matches . '</ul>' : '<p>No statement matches a ledger claim.</p>');
        $out .= '<h4>Conflicts</h4>' . ($conflicts !== '' ? '<ul>' . $conflicts . '</ul>' : '<p>Nothing contradicts the ledger.</p>');
        $out .= '<h4>New statements</h4>';
        if ($candidates === '') {
            return $out . '<p>No attributed statements found.</p></div>';
        }
        $sent = self::json_meta($post_id, '_claimledger_sent');
        $out .= '<ul>' . $candidates . '</ul><button type="button" class="button claimledger-send">Send to the desk</button>';
        $out .= '<span class="claimledger-sent">' . ($sent ? esc_html(count($sent) . ' claim(s) sent to the desk.') : '') . '</span>';
        return $out . '</div>';
    }

    public static function enqueue_editor_script(string $hook): void
    {
        if (!in_array($hook, ['post.php', 'post-new.php'], true)) {
            return;
        }
        wp_enqueue_script('claimledger-editor', plugins_url('assets/editor.js', dirname(__DIR__) . '/claimledger.php'), ['wp-api-fetch'], '0.1.0', true);
    }

    // --- REST routes: the editor's and the webhook receiver ---------------------------------------------

    public static function register_routes(): void
    {
        $can_edit = static fn(WP_REST_Request $request) => current_user_can('edit_post', (int) $request['id']);
        register_rest_route(self::REST_NAMESPACE, '/posts/(?P<id>\d+)', [
            'methods' => 'GET',
            'callback' => [self::class, 'rest_post_state'],
            'permission_callback' => $can_edit,
        ]);
        register_rest_route(self::REST_NAMESPACE, '/posts/(?P<id>\d+)/send', [
            'methods' => 'POST',
            'callback' => [self::class, 'rest_send'],
            'permission_callback' => $can_edit,
            'args' => ['candidates' => ['type' => 'array', 'items' => ['type' => 'integer'], 'required' => true]],
        ]);
        register_rest_route(self::REST_NAMESPACE, '/webhook', [
            'methods' => 'POST',
            'callback' => [self::class, 'rest_webhook'],
            // Anyone may knock: the signature, checked first thing in the callback, is the authentication.
            'permission_callback' => '__return_true',
        ]);
    }

    /** What the editor shows for a post: the analysis, the claims it quotes, new verdicts and the meta box. */
    public static function rest_post_state(WP_REST_Request $request): WP_REST_Response
    {
        $post_id = (int) $request['id'];
        return new WP_REST_Response([
            'status' => (string) get_post_meta($post_id, '_claimledger_status', true),
            'analysis' => self::json_meta($post_id, '_claimledger_analysis') ?: null,
            'claim_ids' => array_map('intval', get_post_meta($post_id, '_claimledger_claim')),
            'new_verdicts' => self::json_meta($post_id, '_claimledger_new_verdict'),
            'sent' => self::json_meta($post_id, '_claimledger_sent'),
            'meta_box' => self::meta_box_html($post_id),
        ]);
    }

    /** Send the chosen candidates of a post's analysis to the desk in one call. */
    public static function rest_send(WP_REST_Request $request)
    {
        $post = get_post((int) $request['id']);
        $analysis = self::json_meta($post->ID, '_claimledger_analysis');
        $notes = $analysis['notes'] ?? [];
        $chosen = [];
        foreach ((array) $request['candidates'] as $index) {
            $candidate = $notes[(int) $index]['candidate'] ?? null;
            if (!$candidate) {
                return new WP_Error('claimledger_no_candidate', "No candidate at $index.", ['status' => 422]);
            }
            $speaker = $candidate['speaker']['id'] ? ['id' => (int) $candidate['speaker']['id']] : ['name' => $candidate['speaker']['name']];
            $chosen[] = array_filter([
                'speaker' => $speaker,
                'role' => $candidate['role'],
                'statement' => $candidate['statement'],
                'quote' => $candidate['quote'],
                'claimed_on' => $candidate['claimed_on'],
                'language' => $candidate['language'],
            ], static fn($value) => $value !== null);
        }
        $article = array_filter([
            'url' => $analysis['url'] ?? get_permalink($post),
            'title' => get_the_title($post) ?: null,
            'published_on' => $analysis['published_on'] ?? null,
            'language' => $analysis['language'] ?? null,
            'publisher' => get_bloginfo('name') ?: null,
        ], static fn($value) => $value !== null);
        $key = 'wp-' . md5(home_url() . '|' . $post->ID . '|' . get_post_meta($post->ID, '_claimledger_hash', true) . '|' . wp_json_encode($chosen));
        $answer = ClaimLedger_Client::from_settings()->store($article, $chosen, $key);
        if ($answer['status'] !== 201) {
            $detail = $answer['body']['detail'] ?? ('HTTP ' . $answer['status']);
            return new WP_Error('claimledger_store_failed', (string) $detail, ['status' => 502, 'service' => $answer['body']]);
        }
        $ids = array_map(static fn($claim) => (int) $claim['id'], $answer['body']['claims']);
        $sent = array_values(array_unique(array_merge(self::json_meta($post->ID, '_claimledger_sent'), $ids)));
        update_post_meta($post->ID, '_claimledger_sent', wp_json_encode($sent));
        self::set_claim_ids($post->ID, array_merge(array_map('intval', get_post_meta($post->ID, '_claimledger_claim')), $sent));
        return new WP_REST_Response(['created' => $answer['body']['created'], 'claim_ids' => $ids, 'meta_box' => self::meta_box_html($post->ID)], 200);
    }

    /** Receive a claimledger webhook: verify it, then mark posts whose claims got a verdict or fetch a finished job. */
    public static function rest_webhook(WP_REST_Request $request)
    {
        $body = $request->get_body();
        $id = (string) $request->get_header('webhook-id');
        $refusal = ClaimLedger_Signature::verify(
            (string) get_option('claimledger_webhook_secret', ''),
            $id,
            (string) $request->get_header('webhook-timestamp'),
            (string) $request->get_header('webhook-signature'),
            $body
        );
        if ($refusal !== null) {
            return new WP_Error('claimledger_bad_signature', $refusal, ['status' => 401]);
        }
        $seen = 'claimledger_msg_' . md5($id);
        if (get_transient($seen)) {
            return new WP_REST_Response(['duplicate' => true], 200);
        }
        set_transient($seen, 1, DAY_IN_SECONDS);
        $message = json_decode($body, true);
        $event = is_array($message) ? ($message['data'] ?? []) : [];
        $type = (string) ($message['type'] ?? '');
        $marked = [];
        if ($type === 'review.created') {
            $review = $event['data'] ?? [];
            $marked = self::mark_new_verdict((int) ($review['claim_id'] ?? 0), (string) ($review['claim']['status'] ?? $review['verdict'] ?? ''));
        } elseif ($type === 'article.analyzed') {
            $marked = self::collect_job((int) ($event['object_id'] ?? 0));
        }
        return new WP_REST_Response(['type' => $type, 'marked' => $marked], 200);
    }

    /** Record on every post quoting a claim that the claim has a new verdict; return their ids. */
    private static function mark_new_verdict(int $claim_id, string $verdict): array
    {
        if ($claim_id <= 0 || $verdict === '') {
            return [];
        }
        $posts = get_posts([
            'post_type' => self::analysed_types(),
            'post_status' => 'any',
            'fields' => 'ids',
            'numberposts' => -1,
            'meta_query' => [['key' => '_claimledger_claim', 'value' => (string) $claim_id]],
        ]);
        foreach ($posts as $post_id) {
            $changes = array_values(array_filter(self::json_meta($post_id, '_claimledger_new_verdict'), static fn($c) => (int) $c['claim_id'] !== $claim_id));
            $changes[] = ['claim_id' => $claim_id, 'verdict' => $verdict, 'at' => gmdate('c')];
            update_post_meta($post_id, '_claimledger_new_verdict', wp_slash(wp_json_encode($changes)));
        }
        return array_map('intval', $posts);
    }

    /** Fetch a finished analysis job's result onto the post that queued it; return the post's id. */
    private static function collect_job(int $job_id): array
    {
        if ($job_id <= 0) {
            return [];
        }
        $posts = get_posts(['post_type' => self::analysed_types(), 'post_status' => 'any', 'fields' => 'ids', 'numberposts' => 1,
            'meta_query' => [['key' => '_claimledger_job', 'value' => (string) $job_id]]]);
        if (!$posts) {
            return [];
        }
        $answer = ClaimLedger_Client::from_settings()->job('/api/v1/articles/jobs/' . $job_id);
        if ($answer['status'] === 200 && ($answer['body']['status'] ?? '') === 'done') {
            self::store_analysis($posts[0], $answer['body']['result']);
            delete_post_meta($posts[0], '_claimledger_job');
        } else {
            update_post_meta($posts[0], '_claimledger_status', 'error: the analysis job ' . $job_id . ' did not finish');
        }
        return [(int) $posts[0]];
    }

    public static function new_verdict_notice(): void
    {
        $screen = function_exists('get_current_screen') ? get_current_screen() : null;
        if (!$screen || $screen->base !== 'post' || empty($GLOBALS['post'])) {
            return;
        }
        foreach (self::json_meta($GLOBALS['post']->ID, '_claimledger_new_verdict') as $change) {
            printf('<div class="notice notice-warning"><p>claimledger: claim %s quoted in this post is now <strong>%s</strong>.</p></div>',
                esc_html((string) $change['claim_id']), esc_html((string) $change['verdict']));
        }
    }

    // --- settings ---------------------------------------------------------------------------------------

    public static function add_settings_page(): void
    {
        add_options_page('claimledger', 'claimledger', 'manage_options', 'claimledger', [self::class, 'print_settings_page']);
    }

    public static function register_settings(): void
    {
        register_setting('claimledger', 'claimledger_service_url', ['type' => 'string', 'sanitize_callback' => 'esc_url_raw']);
        register_setting('claimledger', 'claimledger_api_key', ['type' => 'string', 'sanitize_callback' => 'sanitize_text_field']);
        register_setting('claimledger', 'claimledger_webhook_secret', ['type' => 'string', 'sanitize_callback' => 'sanitize_text_field']);
        add_settings_section('claimledger_service', 'Service', '__return_false', 'claimledger');
        $fields = [
            'claimledger_service_url' => ['Service URL', 'url', 'https://ledger.example'],
            'claimledger_api_key' => ['API key', 'password', 'clk_...'],
            'claimledger_webhook_secret' => ['Webhook secret', 'password', 'whsec_...'],
        ];
        foreach ($fields as $name => [$label, $type, $placeholder]) {
            add_settings_field($name, $label, static function () use ($name, $type, $placeholder) {
                printf('<input type="%s" name="%s" value="%s" placeholder="%s" class="regular-text" autocomplete="off">',
                    esc_attr($type), esc_attr($name), esc_attr((string) get_option($name, '')), esc_attr($placeholder));
            }, 'claimledger', 'claimledger_service');
        }
    }

    public static function print_settings_page(): void
    {
        echo '<div class="wrap"><h1>claimledger</h1>';
        echo '<p>A reviewer key lets the editor send statements to the desk; a reader key only analyses.</p>';
        printf('<p>Subscribe a claimledger webhook to <code>%s</code> for <code>review.created</code> and <code>article.analyzed</code>, and paste its secret below.</p>',
            esc_html(rest_url(self::REST_NAMESPACE . '/webhook')));
        echo '<form method="post" action="options.php">';
        settings_fields('claimledger');
        do_settings_sections('claimledger');
        submit_button();
        echo '</form></div>';
    }
}
