<?php
/**
 * The one place the plugin talks to the claimledger service, through WordPress's HTTP API.
 */

if (!defined('ABSPATH')) {
    exit;
}

final class ClaimLedger_Client
{
    private const TIMEOUT = 20;

    public function __construct(private string $base_url, private string $api_key)
    {
        $this->base_url = rtrim($base_url, '/');
    }

    public static function from_settings(): self
    {
        return new self((string) get_option('claimledger_service_url', ''), (string) get_option('claimledger_api_key', ''));
    }

    public function configured(): bool
    {
        return $this->base_url !== '' && $this->api_key !== '';
    }

    /** Analyse an article's HTML; return the decoded answer (or a job summary when the service queued it). */
    public function analyze(string $html, ?string $url, ?string $published_on): array
    {
        $body = ['html' => $html];
        if ($url) {
            $body['url'] = $url;
        }
        if ($published_on) {
            $body['published_on'] = $published_on;
        }
        return $this->request('POST', '/api/v1/articles/analyze', $body);
    }

    /** Poll an analysis job by the Location the service gave. */
    public function job(string $location): array
    {
        return $this->request('GET', $location);
    }

    /** Store chosen candidates with the article as their source; the key makes a retried call a no-op. */
    public function store(array $article, array $candidates, string $idempotency_key): array
    {
        return $this->request('POST', '/api/v1/articles/claims', ['article' => $article, 'candidates' => $candidates], ['Idempotency-Key' => $idempotency_key]);
    }

    /** @return array{status:int, body:array, location:?string} */
    private function request(string $method, string $path, ?array $json = null, array $headers = []): array
    {
        if (!$this->configured()) {
            return ['status' => 0, 'body' => ['detail' => 'Set the claimledger service URL and key in Settings > claimledger.'], 'location' => null];
        }
        $args = [
            'method' => $method,
            'timeout' => self::TIMEOUT,
            'headers' => array_merge(['Authorization' => 'Bearer ' . $this->api_key, 'Accept' => 'application/json'], $headers),
        ];
        if ($json !== null) {
            $args['headers']['Content-Type'] = 'application/json';
            $args['body'] = wp_json_encode($json);
        }
        $response = wp_remote_request($this->base_url . $path, $args);
        if (is_wp_error($response)) {
            return ['status' => 0, 'body' => ['detail' => $response->get_error_message()], 'location' => null];
        }
        $decoded = json_decode(wp_remote_retrieve_body($response), true);
        $location = wp_remote_retrieve_header($response, 'location');
        return [
            'status' => (int) wp_remote_retrieve_response_code($response),
            'body' => is_array($decoded) ? $decoded : [],
            'location' => $location !== '' ? (string) $location : null,
        ];
    }
}
