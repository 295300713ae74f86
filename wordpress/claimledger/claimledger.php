<?php
/**
 * Plugin Name: claimledger
 * Description: Checks each saved post against a claimledger fact-check desk: statements already checked (with their verdicts), statements that contradict the ledger, and new attributed statements to send to the desk. Embeds claimledger cards by oEmbed and marks posts whose quoted claims get a new verdict.
 * Version: 0.1.0
 * Requires at least: 6.1
 * Requires PHP: 8.2
 * License: MIT
 */

if (!defined('ABSPATH')) {
    exit;
}

require_once __DIR__ . '/includes/class-claimledger-client.php';
require_once __DIR__ . '/includes/class-claimledger-signature.php';
require_once __DIR__ . '/includes/class-claimledger-plugin.php';

ClaimLedger_Plugin::boot();
