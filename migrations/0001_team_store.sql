-- sicol team store, schema version 1: records, rule set copies and the roles that use them.
--
-- Applied by `sicol store init URL` inside one transaction, after it has created the schema
-- `sicol` and the table `sicol.schema_migrations`. Never edit a migration that has shipped: add
-- the next one (0002_…sql) and list it in src/records/postgres.rs.

-- Records, as the canonical JSON the folder store writes (so a copy keeps every hash). The
-- columns beside the body repeat what the chain needs, so the database can enforce it.
CREATE TABLE sicol.records (
    id bigint PRIMARY KEY CHECK (id > 0),
    sha256 text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    previous text CHECK (previous IS NULL OR previous ~ '^[0-9a-f]{64}$'),
    body text NOT NULL,
    -- The database login that saved it: set by the insert trigger, whatever the client sends.
    saved_by name NOT NULL DEFAULT session_user,
    saved_at timestamptz NOT NULL DEFAULT now()
);

COMMENT ON TABLE sicol.records IS
    'sicol formulation records: append-only hash chain (health data; never log its contents)';

-- Rule set copies, content-addressed by the sha256 of their files, as rulesets/<sha256>/ in a
-- folder store.
CREATE TABLE sicol.rulesets (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    saved_by name NOT NULL DEFAULT session_user,
    saved_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sicol.ruleset_files (
    sha256 text NOT NULL REFERENCES sicol.rulesets (sha256),
    name text NOT NULL CHECK (name ~ '^[^/\\.][^/\\]*$'),
    body text NOT NULL,
    PRIMARY KEY (sha256, name)
);

-- Nothing once written is changed or removed, whoever asks (the owner included).
CREATE FUNCTION sicol.refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'sicol records are append-only: % on %.% is refused',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'record a correction as a revision (sicol evaluate --save --supersedes ID)';
END
$$;

CREATE TRIGGER records_append_only BEFORE UPDATE OR DELETE ON sicol.records
    FOR EACH ROW EXECUTE FUNCTION sicol.refuse_change();
CREATE TRIGGER records_no_truncate BEFORE TRUNCATE ON sicol.records
    FOR EACH STATEMENT EXECUTE FUNCTION sicol.refuse_change();
CREATE TRIGGER rulesets_append_only BEFORE UPDATE OR DELETE ON sicol.rulesets
    FOR EACH ROW EXECUTE FUNCTION sicol.refuse_change();
CREATE TRIGGER rulesets_no_truncate BEFORE TRUNCATE ON sicol.rulesets
    FOR EACH STATEMENT EXECUTE FUNCTION sicol.refuse_change();
CREATE TRIGGER ruleset_files_append_only BEFORE UPDATE OR DELETE ON sicol.ruleset_files
    FOR EACH ROW EXECUTE FUNCTION sicol.refuse_change();
CREATE TRIGGER ruleset_files_no_truncate BEFORE TRUNCATE ON sicol.ruleset_files
    FOR EACH STATEMENT EXECUTE FUNCTION sicol.refuse_change();

-- The chain, kept by the database: every insert waits for the chain lock (the one sicol takes
-- before reading the tip, so the wait is in the same order), must take the next id and name the
-- tip's sha256, and its JSON must say the same. Two writers can therefore never fork the chain,
-- even with a hand-written INSERT. Messages never quote the record's contents.
-- SECURITY DEFINER so that the chain is checked against every record even when row-level
-- security hides some from the login (see the README): the tip is the service's, not the team's.
CREATE FUNCTION sicol.chain_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    tip_id bigint;
    tip_sha256 text;
    doc json;
BEGIN
    PERFORM pg_advisory_xact_lock(357711433548);
    SELECT id, sha256 INTO tip_id, tip_sha256
        FROM sicol.records ORDER BY id DESC LIMIT 1;
    IF NEW.id <> COALESCE(tip_id, 0) + 1 THEN
        RAISE EXCEPTION 'record % is not the next place in the chain (the last record is %)',
            NEW.id, COALESCE(tip_id, 0)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.previous IS DISTINCT FROM tip_sha256 THEN
        RAISE EXCEPTION 'record % does not link to the last record''s sha256', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    BEGIN
        doc := NEW.body::json;
    EXCEPTION WHEN others THEN
        RAISE EXCEPTION 'record % is not JSON', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    IF (doc ->> 'id') IS DISTINCT FROM lpad(NEW.id::text, 8, '0')
        OR (doc ->> 'sha256') IS DISTINCT FROM NEW.sha256
        OR (doc ->> 'previous') IS DISTINCT FROM NEW.previous THEN
        RAISE EXCEPTION 'record %''s JSON does not match its id, sha256 or link', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    NEW.saved_by := session_user;
    NEW.saved_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER records_chain BEFORE INSERT ON sicol.records
    FOR EACH ROW EXECUTE FUNCTION sicol.chain_insert();

-- The last record's id and sha256, which a writer seals its record against: only these two
-- (never a record's contents), and of the whole chain whatever row-level security hides.
CREATE FUNCTION sicol.chain_tip(OUT id bigint, OUT sha256 text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT r.id, r.sha256 FROM sicol.records r ORDER BY r.id DESC LIMIT 1
$$;

CREATE FUNCTION sicol.stamp_saved_by() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.saved_by := session_user;
    NEW.saved_at := now();
    RETURN NEW;
END
$$;

CREATE TRIGGER rulesets_saved_by BEFORE INSERT ON sicol.rulesets
    FOR EACH ROW EXECUTE FUNCTION sicol.stamp_saved_by();

-- Group roles; each person's login is made a member of one (see the README, "A team store").
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sicol_assessor') THEN
        CREATE ROLE sicol_assessor NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sicol_lead') THEN
        CREATE ROLE sicol_lead NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sicol_auditor') THEN
        CREATE ROLE sicol_auditor NOLOGIN;
    END IF;
END
$$;

REVOKE ALL ON SCHEMA sicol FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA sicol FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA sicol FROM PUBLIC;

GRANT USAGE ON SCHEMA sicol TO sicol_assessor, sicol_lead, sicol_auditor;
-- Everyone reads; only assessors insert; no one is granted UPDATE, DELETE or TRUNCATE.
GRANT SELECT ON ALL TABLES IN SCHEMA sicol TO sicol_assessor, sicol_lead, sicol_auditor;
GRANT INSERT ON sicol.records, sicol.rulesets, sicol.ruleset_files TO sicol_assessor;
GRANT EXECUTE ON FUNCTION sicol.chain_insert(), sicol.stamp_saved_by(), sicol.refuse_change(),
    sicol.chain_tip() TO sicol_assessor, sicol_lead, sicol_auditor;
