/// The database schema, one migration per `PRAGMA user_version` step. Times are stored as UTC seconds since 1970;
/// dates a person typed (notify_after) as `YYYY-MM-DD` text.
enum Schema {
    static let migrations: [String] = [
        // 1: the issuer's side — vendor registry, one notice per vendor and fiscal year, OTPs, the audit trail.
        """
        CREATE TABLE vendors (
            code TEXT PRIMARY KEY CHECK (length(code) = 7),
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('construction', 'commissioned')),
            notify_after TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            vendor_code TEXT NOT NULL REFERENCES vendors(code),
            fiscal_year INTEGER NOT NULL,
            token TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            message_id TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'deferred', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            last_code INTEGER,
            last_reply TEXT,
            sent_at INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (vendor_code, fiscal_year)
        ) STRICT;
        CREATE INDEX notices_by_state ON notices (fiscal_year, state);
        CREATE TABLE otps (
            vendor_code TEXT PRIMARY KEY REFERENCES vendors(code),
            hash BLOB NOT NULL,
            issued_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER
        ) STRICT;
        CREATE TABLE otp_guards (
            vendor_code TEXT PRIMARY KEY REFERENCES vendors(code),
            failed_attempts INTEGER NOT NULL DEFAULT 0,
            locked_at INTEGER
        ) STRICT;
        CREATE TABLE audit (
            id INTEGER PRIMARY KEY,
            at INTEGER NOT NULL,
            vendor_code TEXT,
            event TEXT NOT NULL,
            detail TEXT
        ) STRICT;
        CREATE INDEX audit_by_vendor ON audit (vendor_code, event, at);
        """,
        // 2: the vendor's side — the URL vault, OTP sightings (never the code itself), what was handled from
        // which mailbox, and each IMAP mailbox's UIDVALIDITY and last UID.
        """
        CREATE TABLE vault_urls (
            id INTEGER PRIMARY KEY,
            vendor_code TEXT NOT NULL,
            fiscal_year INTEGER NOT NULL,
            valid_from TEXT,
            valid_until TEXT,
            url TEXT NOT NULL,
            message_id TEXT NOT NULL UNIQUE,
            sender TEXT NOT NULL,
            received_at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX vault_by_vendor ON vault_urls (vendor_code, fiscal_year, received_at);
        CREATE TABLE otp_sightings (
            id INTEGER PRIMARY KEY,
            message_id TEXT NOT NULL UNIQUE,
            expires_at INTEGER NOT NULL,
            received_at INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('relayed', 'unrelayed', 'expired', 'superseded')),
            relayed_to TEXT,
            relayed_at INTEGER
        ) STRICT;
        CREATE TABLE handled_messages (
            source TEXT NOT NULL,
            key TEXT NOT NULL,
            message_id TEXT,
            decision TEXT NOT NULL,
            handled_at INTEGER NOT NULL,
            PRIMARY KEY (source, key)
        ) STRICT;
        CREATE INDEX handled_by_message_id ON handled_messages (message_id);
        CREATE TABLE mailbox_state (
            mailbox TEXT PRIMARY KEY,
            uid_validity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL
        ) STRICT;
        """,
        // 3: notices indexed by year alone. An index on (fiscal_year, state) rewrote two or three of its pages at
        // every change of state, twice a message in the batch sender's commits (claimed, then sent); the year never
        // changes, and one year's few thousand rows are scanned for their states in milliseconds.
        """
        DROP INDEX notices_by_state;
        CREATE INDEX notices_by_year ON notices (fiscal_year);
        """,
        // 4: the downloads the portal confirmed with a verified OTP: the first one per vendor and certificate year.
        """
        CREATE TABLE downloads (
            vendor_code TEXT NOT NULL REFERENCES vendors(code),
            fiscal_year INTEGER NOT NULL,
            downloaded_at INTEGER NOT NULL,
            PRIMARY KEY (vendor_code, fiscal_year)
        ) STRICT;
        """,
        // 5: closing the loop. Notices gain the state `bounced` and the bounce that put them there (SQLite cannot
        // change a CHECK in place: the table is rebuilt, rows and ids kept). Reminders are notices' siblings, one per
        // vendor, fiscal year and wave, sent through the same states. Every bounce read is kept in `bounces`, matched
        // or not (a delay is recorded there only). The audit trail names the Message-ID of an OTP mail, so that its
        // bounce finds the vendor.
        """
        CREATE TABLE notices_v5 (
            id INTEGER PRIMARY KEY,
            vendor_code TEXT NOT NULL REFERENCES vendors(code),
            fiscal_year INTEGER NOT NULL,
            token TEXT NOT NULL UNIQUE,
            url TEXT NOT NULL,
            message_id TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'deferred', 'failed', 'bounced')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            last_code INTEGER,
            last_reply TEXT,
            sent_at INTEGER,
            bounce_status TEXT,
            bounce_diagnostic TEXT,
            bounced_at INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (vendor_code, fiscal_year)
        ) STRICT;
        INSERT INTO notices_v5 (id, vendor_code, fiscal_year, token, url, message_id, state, attempts, next_attempt_at,
            last_code, last_reply, sent_at, created_at, updated_at)
        SELECT id, vendor_code, fiscal_year, token, url, message_id, state, attempts, next_attempt_at, last_code,
            last_reply, sent_at, created_at, updated_at FROM notices;
        DROP TABLE notices;
        ALTER TABLE notices_v5 RENAME TO notices;
        CREATE INDEX notices_by_year ON notices (fiscal_year);
        CREATE TABLE reminders (
            id INTEGER PRIMARY KEY,
            vendor_code TEXT NOT NULL REFERENCES vendors(code),
            fiscal_year INTEGER NOT NULL,
            wave TEXT NOT NULL CHECK (length(wave) BETWEEN 1 AND 32),
            url TEXT NOT NULL,
            message_id TEXT NOT NULL UNIQUE,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'deferred', 'failed', 'bounced')),
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at INTEGER,
            last_code INTEGER,
            last_reply TEXT,
            sent_at INTEGER,
            bounce_status TEXT,
            bounce_diagnostic TEXT,
            bounced_at INTEGER,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            UNIQUE (vendor_code, fiscal_year, wave)
        ) STRICT;
        CREATE INDEX reminders_by_year ON reminders (fiscal_year);
        CREATE TABLE bounces (
            id INTEGER PRIMARY KEY,
            received_at INTEGER NOT NULL,
            original_message_id TEXT,
            matched TEXT NOT NULL CHECK (matched IN ('notice', 'reminder', 'otp', 'none')),
            vendor_code TEXT,
            fiscal_year INTEGER,
            recipients TEXT NOT NULL,
            status TEXT,
            permanent INTEGER NOT NULL,
            diagnostic TEXT
        ) STRICT;
        CREATE INDEX bounces_by_vendor ON bounces (vendor_code, fiscal_year);
        ALTER TABLE audit ADD COLUMN message_id TEXT;
        CREATE INDEX audit_by_message_id ON audit (message_id) WHERE message_id IS NOT NULL;
        """,
        // 6: the vault keeps the notice's own Date (`urls` shows it as sent_at); NULL for URLs stored before, and
        // for a notice whose Date does not read.
        """
        ALTER TABLE vault_urls ADD COLUMN sent_at INTEGER;
        """,
        // 7: what the vendor's watcher has said of a missing notice or a missing OTP, one row per alarm and period
        // (a Japan day for the daily alarm, a fiscal year for the one reminder): claimed with INSERT OR IGNORE in the
        // transaction that says it, so it is said once across restarts and by one of several watchers.
        """
        CREATE TABLE alarms (
            name TEXT NOT NULL,
            period TEXT NOT NULL,
            said_at INTEGER NOT NULL,
            PRIMARY KEY (name, period)
        ) STRICT;
        """,
    ]
}
