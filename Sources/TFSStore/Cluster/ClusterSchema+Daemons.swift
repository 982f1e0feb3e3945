extension ClusterSchema {
  /// The daemons on the cluster store:
  /// - a node's row is its daemon's row too (`stopped_at`, `fired_until` as in SQLite's
  ///   `daemon`);
  /// - `tfs_change` counts the writes of commands (not of daemons: a transaction of a daemon
  ///   names its node in `tfs.node`), and each one notifies `tfs_change`: how daemons notice a
  ///   `tfs add`, `modify`, `run` or `kill` (SQLite's `PRAGMA data_version`);
  /// - a run inserted or started by a daemon carries its node and epoch (the columns the reaper
  ///   reads), without the store's statements having to name them;
  /// - a scheduled run a node records more than a second before its occurrence on the
  ///   database's clock is refused (not inserted): a node whose clock runs fast cannot claim
  ///   early, whatever it computed.
  static let v4 = """
    ALTER TABLE node ADD COLUMN stopped_at BIGINT, ADD COLUMN fired_until BIGINT;

    CREATE TABLE tfs_change (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
    INSERT INTO tfs_change VALUES (1, 0);

    CREATE FUNCTION tfs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF coalesce(current_setting('tfs.node', true), '') = '' THEN
        UPDATE tfs_change SET version = version + 1 WHERE id = 1;
        PERFORM pg_notify('tfs_change', '');
      END IF;
      RETURN NULL;
    END $$;
    CREATE TRIGGER task_changed AFTER INSERT OR UPDATE OR DELETE ON task
      FOR EACH STATEMENT EXECUTE FUNCTION tfs_changed();
    CREATE TRIGGER run_changed AFTER INSERT OR UPDATE OR DELETE ON run
      FOR EACH STATEMENT EXECUTE FUNCTION tfs_changed();
    CREATE TRIGGER setting_changed AFTER INSERT OR UPDATE OR DELETE ON setting
      FOR EACH STATEMENT EXECUTE FUNCTION tfs_changed();
    CREATE TRIGGER channel_changed AFTER INSERT OR UPDATE OR DELETE ON channel
      FOR EACH STATEMENT EXECUTE FUNCTION tfs_changed();

    CREATE FUNCTION tfs_run_owner() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      me text := nullif(current_setting('tfs.node', true), '');
    BEGIN
      IF me IS NULL THEN
        RETURN NEW;
      END IF;
      IF TG_OP = 'INSERT' THEN
        IF NEW.trigger = 'schedule' AND NEW.status IN ('queued', 'running')
           AND NEW.scheduled_at > tfs_now_ms() + 1000 THEN
          RETURN NULL;
        END IF;
        IF NEW.node IS NULL THEN
          NEW.node := me;
          NEW.epoch := current_setting('tfs.epoch')::bigint;
        END IF;
      ELSIF OLD.status = 'queued' AND NEW.status = 'running' THEN
        NEW.node := me;
        NEW.epoch := current_setting('tfs.epoch')::bigint;
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER run_owner BEFORE INSERT OR UPDATE ON run
      FOR EACH ROW EXECUTE FUNCTION tfs_run_owner();
    """

  /// The logs of runs, kept in the database so that `tfs logs` reads them from any host (at most
  /// `log-max` each; gone with their run).
  static let v6 = """
    CREATE TABLE run_log (
      run_id BIGINT PRIMARY KEY REFERENCES run(id) ON DELETE CASCADE,
      content BYTEA NOT NULL
    );
    """

  /// SQLite's v7: a task's placement (`--on-node`, `--on-label`) and `--rerun-lost`.
  static let v5 = """
    ALTER TABLE task ADD COLUMN on_node TEXT CHECK (on_node != ''),
      ADD COLUMN on_label TEXT CHECK (on_label != ''),
      ADD COLUMN rerun_lost INTEGER NOT NULL DEFAULT 0 CHECK (rerun_lost IN (0, 1));
    """
}
