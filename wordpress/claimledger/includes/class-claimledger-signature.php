<?php
/**
 * Standard Webhooks signature checks, as claimledger signs its deliveries (service/delivery/signing.py):
 * "v1," + base64(HMAC-SHA256("{webhook-id}.{webhook-timestamp}.{body}")) under the secret after its
 * "whsec_" prefix, base64-decoded. webhook-signature may carry several space-separated signatures
 * (during a secret rotation); one valid signature is enough.
 */

if (!defined('ABSPATH')) {
    exit;
}

final class ClaimLedger_Signature
{
    public const PREFIX = 'whsec_';
    /** Seconds a delivery's timestamp may differ from this server's clock, either way. */
    public const TOLERANCE = 300;

    /**
     * Return null when the delivery is genuine, else why it is refused.
     */
    public static function verify(string $secret, string $id, string $timestamp, string $signatures, string $body, ?int $now = null): ?string
    {
        if ($secret === '') {
            return 'no webhook secret is configured';
        }
        if ($id === '' || $timestamp === '' || $signatures === '') {
            return 'webhook-id, webhook-timestamp and webhook-signature are all required';
        }
        if (!ctype_digit($timestamp)) {
            return 'webhook-timestamp is not a number of seconds';
        }
        $now = $now ?? time();
        if (abs($now - (int) $timestamp) > self::TOLERANCE) {
            return 'webhook-timestamp is too far from now';
        }
        $key = base64_decode(str_starts_with($secret, self::PREFIX) ? substr($secret, strlen(self::PREFIX)) : $secret, true);
        if ($key === false || $key === '') {
            return 'the configured webhook secret is not base64';
        }
        $expected = base64_encode(hash_hmac('sha256', $id . '.' . $timestamp . '.' . $body, $key, true));
        foreach (preg_split('/\s+/', trim($signatures)) as $signature) {
            [$version, $value] = array_pad(explode(',', $signature, 2), 2, '');
            if ($version === 'v1' && hash_equals($expected, $value)) {
                return null;
            }
        }
        return 'no signature matches';
    }
}
