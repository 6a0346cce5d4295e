namespace Hermes.Identity.PostgreSql.Database;

// The tables, as a list of migrations applied in order: schema_version holds one row per migration applied, with the
// library version that applied it. {s} is the schema, {trgm} the schema of the pg_trgm extension. Append new steps;
// never edit a shipped one. Text compared or ordered by the stores uses COLLATE "C": byte order of UTF-8, which is
// code-point order, and ILIKE folding ASCII letters only (as SQLite's LIKE does).
internal static class SchemaMigrations
{
    internal static readonly string[] Migrations =
    [
        // 1: the state store, sessions and messages, memory documents. Times are Unix milliseconds, UTC.
        """
        CREATE TABLE {s}.state_records (
            kind       text COLLATE "C" NOT NULL,
            key        text COLLATE "C" NOT NULL,
            data       text   NOT NULL,
            version    bigint NOT NULL,
            expires_at bigint NULL,
            PRIMARY KEY (kind, key)
        );
        CREATE INDEX state_records_by_expiry ON {s}.state_records (expires_at) WHERE expires_at IS NOT NULL;
        CREATE TABLE {s}.state_sequence (id int PRIMARY KEY, value bigint NOT NULL);
        INSERT INTO {s}.state_sequence (id, value) VALUES (1, 0);

        CREATE TABLE {s}.sessions (
            seq       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            profile   text COLLATE "C" NOT NULL,
            id        text COLLATE "C" NOT NULL UNIQUE,
            key       text COLLATE "C" NOT NULL,
            platform  text NOT NULL,
            chat_id   text NULL,
            chat_kind int  NOT NULL,
            title     text COLLATE "C" NULL,
            created   bigint NOT NULL,
            updated   bigint NOT NULL,
            archived  boolean NOT NULL DEFAULT false
        );
        CREATE INDEX sessions_by_key ON {s}.sessions (profile, key, archived, seq);
        CREATE INDEX sessions_by_update ON {s}.sessions (profile, updated DESC, seq DESC);
        CREATE TABLE {s}.messages (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            profile      text COLLATE "C" NOT NULL,
            session      bigint NOT NULL REFERENCES {s}.sessions (seq) ON DELETE CASCADE,
            role         text NOT NULL,
            content      text COLLATE "C" NOT NULL,
            tool_name    text NULL,
            tool_call_id text NULL,
            time         bigint NOT NULL
        );
        CREATE INDEX messages_by_session ON {s}.messages (session, id);
        CREATE INDEX messages_by_profile ON {s}.messages (profile, id);
        CREATE INDEX messages_by_trigram ON {s}.messages USING gin (content {trgm}.gin_trgm_ops);

        CREATE TABLE {s}.memory_documents (
            profile text COLLATE "C" NOT NULL,
            file    text NOT NULL,
            entries text[] NOT NULL,
            version bigint NOT NULL,
            PRIMARY KEY (profile, file)
        );
        """,

        // 2: the identity directory (AddPostgreSqlDirectory). people: one row per person, accounts as an array, version
        // of the write that last set the row; accounts: account -> key (one person per account); removed: the removal
        // log other replicas follow (kept); directory_version: the counter every write moves once, under its row lock.
        """
        CREATE TABLE {s}.directory_people (
            key          text COLLATE "C" PRIMARY KEY,
            role         text   NOT NULL,
            display_name text   NULL,
            accounts     text[] NOT NULL,
            version      bigint NOT NULL
        );
        CREATE INDEX directory_people_by_version ON {s}.directory_people (version);
        CREATE TABLE {s}.directory_accounts (
            account text COLLATE "C" PRIMARY KEY,
            key     text COLLATE "C" NOT NULL
        );
        CREATE INDEX directory_accounts_by_key ON {s}.directory_accounts (key);
        CREATE TABLE {s}.directory_removed (
            key     text COLLATE "C" PRIMARY KEY,
            version bigint NOT NULL
        );
        CREATE INDEX directory_removed_by_version ON {s}.directory_removed (version);
        CREATE TABLE {s}.directory_version (id int PRIMARY KEY, value bigint NOT NULL);
        INSERT INTO {s}.directory_version (id, value) VALUES (1, 0);
        """,

        // 3: the decision audit (AddPostgreSqlAudit): one hash chain shared by every replica. decision_audit_head is the
        // chain's head, one row, locked by every append (SELECT ... FOR UPDATE), so appends from every replica queue
        // there and each one continues the chain from the one before. A record is the same line as in the audit file
        // (audit/decisions.jsonl): its hash is the SHA-256 of the line without its "hash" member. append_id (not hashed)
        // makes an append safe to try again after a connection lost during its commit: a second try finds the first.
        """
        CREATE TABLE {s}.decision_audit (
            seq       bigint PRIMARY KEY,
            append_id uuid   NOT NULL UNIQUE,
            record    text   NOT NULL
        );
        CREATE TABLE {s}.decision_audit_head (
            id   int    PRIMARY KEY CHECK (id = 1),
            seq  bigint NOT NULL,
            hash text   NOT NULL
        );
        INSERT INTO {s}.decision_audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
        CREATE FUNCTION {s}.append_decision(p_append_id uuid, p_body text) RETURNS bigint LANGUAGE plpgsql AS $$
        DECLARE
            head_seq  bigint;
            head_hash text;
            done      bigint;
            content   text;
            digest    text;
        BEGIN
            SELECT seq, hash INTO head_seq, head_hash FROM {s}.decision_audit_head WHERE id = 1 FOR UPDATE;
            SELECT seq INTO done FROM {s}.decision_audit WHERE append_id = p_append_id;
            IF FOUND THEN
                RETURN done;
            END IF;
            content := '{"seq":' || (head_seq + 1)::text || ',' || p_body || ',"prev":"' || head_hash || '"}';
            digest := encode(sha256(convert_to(content, 'UTF8')), 'hex');
            INSERT INTO {s}.decision_audit (seq, append_id, record)
                VALUES (head_seq + 1, p_append_id, left(content, -1) || ',"hash":"' || digest || '"}');
            UPDATE {s}.decision_audit_head SET seq = head_seq + 1, hash = digest WHERE id = 1;
            RETURN head_seq + 1;
        END
        $$;
        """,
    ];

    internal static int LatestVersion => Migrations.Length;

    internal static string Render(string migration, string schema, string trigramSchema) =>
        migration.Replace("{s}", schema, StringComparison.Ordinal).Replace("{trgm}", Quote(trigramSchema), StringComparison.Ordinal);

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
