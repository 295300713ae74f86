"""Drop the single-column foreign-key indexes that a composite index already begins with.

Each one cost every insert another B-tree to update and answered nothing the composite index does not.
"""

REDUNDANT = {
    "claim": (("speaker_id",), ("source_id",)),
    "claim_appearance": (("claim_id",),),
    "claim_topic": (("claim_id",), ("topic_id",)),
    "conflict": (("left_claim_id",), ("topic_id",)),
    "delivery": (("webhook_id",),),
    "delivery_attempt": (("delivery_id",),),
    "review": (("claim_id",),),
}
# peewee named them after the model, without the table's underscore.
MODELS = {"claim_appearance": "claimappearance", "claim_topic": "claimtopic", "delivery_attempt": "deliveryattempt"}


def _name(table, columns):
    return f"{MODELS.get(table, table)}_{'_'.join(columns)}"


def up(migrator, db):
    migrator.migrate(
        *(
            migrator.drop_index(table, _name(table, columns))
            for table, all_columns in REDUNDANT.items()
            for columns in all_columns
        )
    )


def down(migrator, db):
    migrator.migrate(
        *(migrator.add_index(table, columns) for table, all_columns in REDUNDANT.items() for columns in all_columns)
    )
