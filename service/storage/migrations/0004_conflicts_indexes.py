"""Index what the conflict detector and the conflict listing filter on."""


def up(migrator, db):
    # Stance conflicts pair a claim with the opposite side of each topic, and a topic's sides list each
    # stance by date: (topic, stance, claimed_on) serves both without reading the rest of a large topic.
    migrator.migrate(
        migrator.add_index("claim_topic", ("topic_id", "stance", "claimed_on", "claim_id")),
        migrator.add_index("conflict", ("basis", "id")),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_index("conflict", "conflict_basis_id"),
        migrator.drop_index("claim_topic", "claim_topic_topic_id_stance_claimed_on_claim_id"),
    )
