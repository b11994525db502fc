-- Leadline on a PostgreSQL server: group roles for what a booth account, a rep, a manager and an
-- administrator may do, as server privileges.
--
-- Run it once per Leadline database, after `leadline migrate-to URL` (and again after an
-- upgrade that adds tables: it is safe to run any number of times), connected to that database
-- as its owner (the login migrate-to used; creating the roles also needs CREATEROLE):
--
--     psql "service=team" -f resources/postgresql/roles.sql
--
-- Then give every person a login of their own in the role that fits, and nothing more:
--
--     CREATE ROLE anna LOGIN IN ROLE leadline_rep;
--     \password anna          -- Anna keeps it in her ~/.pgpass, never in the address
--
-- The roles include each other: leadline_rep can do everything leadline_booth can,
-- leadline_manager everything a rep can, leadline_admin everything.
--
-- What the server enforces:
--   * booth: reads the reference data capture needs (events, questions, people, rules,
--     registrations, the suppression list) and the leads (a returning visitor's badge opens
--     their lead; duplicates are checked); adds and completes leads, answers, scans, tasks and
--     history. It cannot delete any row, cannot change people, teams, rules, events or the
--     suppression list, and cannot read the sync bookkeeping.
--   * rep: also edits tasks, imports (batches, mapping templates) and marks pairs as not
--     duplicates.
--   * manager: also assignment and distribution (runs and their undo, queues, teams, routing
--     and scoring rules, cadences), events and questions, people, the suppression list and
--     erasure (tombstones), shared settings.
--   * admin: everything, DELETE included, and the sync bookkeeping.
--   * Nobody but admin may change or delete history (activity) rows: the history is append-only.
--   * Nobody but admin may DELETE a lead; leads are deleted softly (deleted_at) and restorable.
-- What it does not enforce (the app does, and a person with psql and a login could get round it):
--   * "A rep edits their own leads": the privilege is on the whole lead table; the server knows
--     no link between a login and a Leadline user.
--   * "A booth account does not export": exporting is reading, and capture must read leads. A
--     booth login can SELECT every lead; only the app withholds the Export command.
--   * Which fields a role may change within a row it may update.
--   * app_meta (the database's identity, who is signed in): every login may change it, because
--     the app writes it when it starts.

DO $roles$
DECLARE
    name text;
BEGIN
    FOREACH name IN ARRAY ARRAY['leadline_booth', 'leadline_rep', 'leadline_manager',
                                'leadline_admin'] LOOP
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', name);
        END IF;
    END LOOP;
END
$roles$;

GRANT leadline_booth TO leadline_rep;
GRANT leadline_rep TO leadline_manager;
GRANT leadline_manager TO leadline_admin;

-- Start from nothing, so running this again after a change takes away what was dropped here.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM leadline_booth, leadline_rep, leadline_manager,
    leadline_admin;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM leadline_booth, leadline_rep,
    leadline_manager, leadline_admin;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO leadline_booth;

-- Booth: capture.
GRANT SELECT ON alembic_version, event, question, "user", team, queue, registration,
    suppression, tombstone, shared_setting, score_rule, routing_rule, cadence, company_directory,
    mapping_template, dismissed_pair
    TO leadline_booth;
GRANT SELECT, INSERT, UPDATE ON lead, answer, task TO leadline_booth;
GRANT SELECT, INSERT ON activity, scan_log TO leadline_booth;
-- The app keeps the database's identity and who is signed in there, and writes it at start-up.
GRANT SELECT, INSERT, UPDATE, DELETE ON app_meta TO leadline_booth;
GRANT USAGE ON SEQUENCE lead_key_seq TO leadline_booth;

-- Rep: follow-up and imports.
GRANT INSERT, UPDATE ON import_batch, mapping_template TO leadline_rep;
GRANT SELECT ON import_batch, assignment_run, assignment_move TO leadline_rep;
GRANT INSERT ON dismissed_pair TO leadline_rep;

-- Manager: assignment, distribution, rules, people, events, privacy.
GRANT INSERT, UPDATE, DELETE ON assignment_run, assignment_move, queue, team, "user", score_rule,
    routing_rule, cadence, shared_setting, event, question, registration, suppression,
    company_directory, mapping_template
    TO leadline_manager;
GRANT INSERT, UPDATE ON tombstone TO leadline_manager;

-- Admin: everything, the sync bookkeeping included.
GRANT ALL ON ALL TABLES IN SCHEMA public TO leadline_admin;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO leadline_admin;
