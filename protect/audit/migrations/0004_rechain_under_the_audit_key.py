"""Re-chain the events written before the chain was keyed, under the audit key (PROTECT_AUDIT_KEY).

Why re-chain rather than keep the old rows as an unkeyed "version 1" prefix: a verifier that still
accepted unkeyed events would accept a chain recomputed entirely as unkeyed events by whoever can
write to the database, which is the attack the key closes. So the old chain is verified first, with
the old rule (plain SHA-256), and re-chained only when intact; a broken old chain stops the
migration naming the first bad event, so tampering is never laundered into a valid keyed chain.
The last event then records the re-chaining, under the key.

The hashing below is frozen here on purpose: a migration must do the same thing whatever the
chain code becomes later. Only the key ring is read from the project.
"""

import hashlib
import hmac
import json

from django.db import migrations
from django.utils import timezone

from protect.audit.keys import audit_keyring

GENESIS_HASH = "0" * 64
TRIGGER = "audit_event_no_update"


def _body(row, *, key_id=None):
    body = {
        "seq": row["seq"],
        "at": row["occurred_at"].isoformat(timespec="microseconds"),
        "actor": row["actor_id"],
        "actor_label": row["actor_label"],
        "action": row["action"],
        "target": [row["target_type"], row["target_id"]],
        "data": row["data"],
    }
    if key_id is not None:
        body["key"] = key_id
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _legacy_hash(row, prev_hash):
    return hashlib.sha256(prev_hash.encode() + b"\n" + _body(row)).hexdigest()


def _keyed_hash(row, prev_hash, *, key_id, key):
    return hmac.new(key, prev_hash.encode() + b"\n" + _body(row, key_id=key_id), hashlib.sha256).hexdigest()


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    fields = ("id", "seq", "occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id",
              "data", "prev_hash", "hash", "key_id")
    rows = list(AuditEvent.objects.filter(key_id="").order_by("seq").values(*fields))
    if not rows:
        return
    if AuditEvent.objects.exclude(key_id="").exists():
        raise RuntimeError("audit: keyed and unkeyed events are mixed; restore the log from a backup first.")
    expected_prev = GENESIS_HASH
    for expected_seq, row in enumerate(rows, start=1):
        if row["seq"] != expected_seq or row["prev_hash"] != expected_prev or _legacy_hash(row, expected_prev) != row["hash"]:
            raise RuntimeError(
                f"audit: the existing chain is broken at event #{row['seq']} (run verify_audit on the previous "
                "release to see why); it is not re-chained under the key, so that nothing is laundered."
            )
        expected_prev = row["hash"]

    ring = audit_keyring()
    key_id, key = ring.primary_id, ring.primary_key
    connection = schema_editor.connection
    table = schema_editor.quote_name(AuditEvent._meta.db_table)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:  # the owner role, which runs migrations, may lift its own trigger for this one step
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while checks are pending
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {TRIGGER}")
        prev_hash = GENESIS_HASH
        for row in rows:
            new_hash = _keyed_hash(row, prev_hash, key_id=key_id, key=key)
            cursor.execute(f"UPDATE {table} SET prev_hash = %s, hash = %s, key_id = %s WHERE id = %s",
                           [prev_hash, new_hash, key_id, row["id"]])
            prev_hash = new_hash
        if postgres:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {TRIGGER}")
    last = {"seq": len(rows) + 1, "occurred_at": timezone.now(), "actor_id": None, "actor_label": "system",
            "action": "audit.chain.rekeyed", "target_type": "", "target_id": "",
            "data": {"events": len(rows), "legacy_head": expected_prev}}
    AuditEvent.objects.create(**last, prev_hash=prev_hash, key_id=key_id,
                              hash=_keyed_hash(last, prev_hash, key_id=key_id, key=key))


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditevent_key_id")]
    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]
