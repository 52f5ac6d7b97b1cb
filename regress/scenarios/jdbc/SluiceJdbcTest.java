/*
 * SluiceJdbcTest — pgjdbc through sluice.
 *
 *   java -cp /usr/share/java/postgresql.jar:CLASSES SluiceJdbcTest JDBC_URL
 *
 * pgjdbc speaks the extended protocol for everything, pipelines messages, switches to named
 * server-side statements after prepareThreshold (5) executions and sends BEGIN as a simple
 * Query ahead of the extended messages when autocommit is off. Each check below prints
 * "ok - NAME" or "not ok - NAME: why"; the exit status is 1 when any failed.
 */
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

public class SluiceJdbcTest {
    private static final Pattern VERSION = Pattern.compile("^sluice [0-9]+\\.[0-9]+\\.[0-9]+");
    private static final int RUNS = 10; // more than pgjdbc's prepareThreshold of 5

    private interface Check {
        void run() throws Exception;
    }

    private static String url;
    private static Connection conn;
    private static int failures;

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: SluiceJdbcTest JDBC_URL");
            System.exit(2);
        }
        url = args[0];
        conn = DriverManager.getConnection(url);
        DatabaseMetaData md = conn.getMetaData();
        System.out.println("# " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion()
                + ", driver " + md.getDriverVersion());

        check("PreparedStatement with int, text, timestamp and NULL parameters, " + RUNS + " runs",
                SluiceJdbcTest::preparedParameters);
        check("the repeated statements became named server-side statements",
                SluiceJdbcTest::namedServerStatements);
        check("batch insert of 100 rows with addBatch/executeBatch", SluiceJdbcTest::batchInsert);
        check("autocommit off: rollback discards the rows", SluiceJdbcTest::rollbackDiscards);
        check("autocommit off: commit keeps the rows (SHOW sluice.version inside the transaction)",
                SluiceJdbcTest::commitKeeps);
        check("an error inside a transaction, then rollback", SluiceJdbcTest::errorThenRollback);
        check("SHOW sluice.version through a PreparedStatement, " + RUNS + " runs",
                SluiceJdbcTest::showVersionPrepared);
        check("SHOW sluice.version through a plain Statement", SluiceJdbcTest::showVersionStatement);
        check("SHOW sluice.version with preferQueryMode=simple", SluiceJdbcTest::showVersionSimple);
        check("DatabaseMetaData getTables and getColumns", SluiceJdbcTest::metadata);
        check("SHOW CONNECTIONS through a PreparedStatement sees the transaction's own rows",
                SluiceJdbcTest::showConnections);
        check("CREATE / ALTER / DROP CONNECTION through PreparedStatements, errors with SQLSTATEs",
                SluiceJdbcTest::connectionStatements);
        check("CREATE PIPELINE, SHOW PIPELINES, SHOW CREATE and EXPLAIN through PreparedStatements",
                SluiceJdbcTest::pipelineStatements);
        check("autocommit off: CREATE PIPELINE undone by rollback", SluiceJdbcTest::pipelineRollback);

        conn.close();
        System.out.println(failures == 0 ? "jdbc: all checks passed" : "jdbc: " + failures + " failed");
        System.exit(failures == 0 ? 0 : 1);
    }

    private static void check(String name, Check c) {
        try {
            c.run();
            System.out.println("ok - " + name);
        } catch (Throwable t) {
            failures++;
            System.out.println("not ok - " + name + ": " + t);
            if (!(t instanceof AssertionError) && !(t instanceof SQLException)) {
                t.printStackTrace(System.out);
            }
        }
        System.out.flush();
    }

    private static void expect(boolean cond, String what) {
        if (!cond) {
            throw new AssertionError(what);
        }
    }

    private static void expectEq(Object got, Object want, String what) {
        if (!Objects.equals(got, want)) {
            throw new AssertionError(what + ": got <" + got + ">, want <" + want + ">");
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Timestamp at(int i) {
        return Timestamp.valueOf(LocalDateTime.of(2024, 1, i, 12, 30, 15, i * 1000));
    }

    private static void preparedParameters() throws Exception {
        exec(conn, "DROP TABLE IF EXISTS jdbc_items");
        exec(conn, "CREATE TABLE jdbc_items (id int PRIMARY KEY, name text, at timestamp, note text)");
        try (PreparedStatement ins = conn.prepareStatement("INSERT INTO jdbc_items VALUES (?, ?, ?, ?)")) {
            for (int i = 1; i <= RUNS; i++) {
                ins.setInt(1, i);
                ins.setString(2, "item " + i);
                ins.setTimestamp(3, at(i));
                if (i % 2 == 0) {
                    ins.setNull(4, Types.VARCHAR);
                } else {
                    ins.setString(4, "note " + i);
                }
                expectEq(ins.executeUpdate(), 1, "rows inserted by run " + i);
            }
        }
        try (PreparedStatement sel = conn.prepareStatement("SELECT name, at, note, id * 2 FROM jdbc_items WHERE id = ?")) {
            for (int i = 1; i <= RUNS; i++) {
                sel.setInt(1, i);
                try (ResultSet rs = sel.executeQuery()) {
                    expect(rs.next(), "row " + i + " found");
                    expectEq(rs.getString(1), "item " + i, "name of row " + i);
                    expectEq(rs.getTimestamp(2), at(i), "timestamp of row " + i);
                    String note = rs.getString(3);
                    if (i % 2 == 0) {
                        expect(note == null && rs.wasNull(), "note of row " + i + " is NULL, got " + note);
                    } else {
                        expectEq(note, "note " + i, "note of row " + i);
                    }
                    expectEq(rs.getInt(4), i * 2, "computed column of row " + i);
                    expect(!rs.next(), "one row for id " + i);
                }
            }
        }
    }

    /* The backend session behind this connection holds pgjdbc's named statements (S_n). */
    private static void namedServerStatements() throws Exception {
        List<String> found = new ArrayList<>();
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT name, statement FROM pg_prepared_statements "
                     + "WHERE statement LIKE '%jdbc_items%' ORDER BY statement")) {
            while (rs.next()) {
                found.add(rs.getString(1) + ": " + rs.getString(2));
            }
        }
        System.out.println("# pg_prepared_statements: " + found);
        expect(found.stream().anyMatch(s -> s.matches("S_\\d+: INSERT INTO jdbc_items VALUES \\(\\$1, \\$2, \\$3, \\$4\\)")),
                "a named statement for the INSERT");
        expect(found.stream().anyMatch(s -> s.matches("S_\\d+: SELECT name, at, note, id \\* 2 FROM jdbc_items WHERE id = \\$1")),
                "a named statement for the SELECT");
    }

    private static void batchInsert() throws Exception {
        exec(conn, "DROP TABLE IF EXISTS jdbc_batch");
        exec(conn, "CREATE TABLE jdbc_batch (id int, label text)");
        try (PreparedStatement ins = conn.prepareStatement("INSERT INTO jdbc_batch VALUES (?, ?)")) {
            for (int i = 1; i <= 100; i++) {
                ins.setInt(1, i);
                ins.setString(2, "row " + i);
                ins.addBatch();
            }
            int[] counts = ins.executeBatch();
            expectEq(counts.length, 100, "number of update counts");
            for (int i = 0; i < counts.length; i++) {
                expectEq(counts[i], 1, "update count " + i);
            }
        }
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*), sum(id), max(label) FROM jdbc_batch")) {
            rs.next();
            expectEq(rs.getLong(1), 100L, "rows after the batch");
            expectEq(rs.getLong(2), 5050L, "sum of ids after the batch");
            expectEq(rs.getString(3), "row 99", "max(label)");
        }
    }

    private static void insertTx(int from, int to) throws SQLException {
        try (PreparedStatement ins = conn.prepareStatement("INSERT INTO jdbc_tx VALUES (?)")) {
            for (int i = from; i <= to; i++) {
                ins.setInt(1, i);
                ins.executeUpdate();
            }
        }
    }

    private static void rollbackDiscards() throws Exception {
        exec(conn, "DROP TABLE IF EXISTS jdbc_tx");
        exec(conn, "CREATE TABLE jdbc_tx (id int)");
        conn.setAutoCommit(false);
        try (Connection other = DriverManager.getConnection(url)) {
            insertTx(1, 3);
            expectEq(count(conn, "jdbc_tx"), 3L, "rows seen inside the transaction");
            expectEq(count(other, "jdbc_tx"), 0L, "rows seen by another session before commit");
            conn.rollback();
            expectEq(count(conn, "jdbc_tx"), 0L, "rows after rollback");
            expectEq(count(other, "jdbc_tx"), 0L, "rows seen by another session after rollback");
        } finally {
            conn.rollback();
            conn.setAutoCommit(true);
        }
    }

    /* SHOW CONNECTIONS runs on this connection's own backend session: same transaction. */
    private static void showConnections() throws Exception {
        long before = count(conn, "sluice.connection");
        conn.setAutoCommit(false);
        try {
            exec(conn, "INSERT INTO sluice.connection (name, kind, options, secrets) VALUES "
                    + "('jdbc_lake', 's3', '{\"bucket\": \"b\"}', '{\"secret_access_key\": \"v1:x\"}')");
            for (int run = 0; run < RUNS; run++) {
                try (PreparedStatement ps = conn.prepareStatement("SHOW CONNECTIONS");
                     ResultSet rs = ps.executeQuery()) {
                    expectEq(rs.getMetaData().getColumnCount(), 4, "columns");
                    expectEq(rs.getMetaData().getColumnName(4), "secrets", "fourth column");
                    long rows = 0;
                    boolean seen = false;
                    while (rs.next()) {
                        rows++;
                        if (rs.getString("name").equals("jdbc_lake")) {
                            seen = true;
                            expectEq(rs.getString("secrets"), "{\"secret_access_key\": \"********\"}",
                                    "the secret is masked");
                        }
                    }
                    expectEq(rows, before + 1, "rows, run " + (run + 1));
                    expect(seen, "the connection inserted in this transaction is listed");
                }
            }
            conn.rollback();
        } finally {
            conn.rollback();
            conn.setAutoCommit(true);
        }
        expectEq(count(conn, "sluice.connection"), before, "rows after rollback");
    }

    private static String sqlState(String sql) {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            ps.execute();
            return "00000";
        } catch (SQLException e) {
            return e.getSQLState();
        }
    }

    private static void connectionStatements() throws Exception {
        long before = count(conn, "sluice.connection");
        expectEq(sqlState("CREATE CONNECTION jdbc_api TYPE http WITH (url = 'https://api.example.com')"),
                "00000", "CREATE CONNECTION");
        expectEq(count(conn, "sluice.connection"), before + 1, "rows after CREATE");
        expectEq(sqlState("CREATE CONNECTION jdbc_api TYPE http WITH (url = 'https://other')"),
                "42710", "a second CREATE with the same name");
        expectEq(sqlState("ALTER CONNECTION jdbc_api SET (url = 'https://api2.example.com')"),
                "00000", "ALTER CONNECTION");
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT options->>'url' FROM sluice.connection WHERE name = 'jdbc_api'")) {
            expect(rs.next(), "the altered row");
            expectEq(rs.getString(1), "https://api2.example.com", "url after ALTER");
        }
        /* this sluice runs without secret_key_file: a secret cannot be stored */
        expectEq(sqlState("CREATE CONNECTION jdbc_s3 TYPE s3 WITH (bucket = 'b', secret_access_key = 'k')"),
                "22023", "a secret without secret_key_file");
        expectEq(sqlState("CREATE CONNECTION jdbc_bad TYPE s3 WITH (colour = 'red')"), "22023",
                "an unknown option");
        expectEq(sqlState("CREATE CONNECTION TYPE s3"), "42601", "a syntax error");
        expectEq(sqlState("DROP CONNECTION jdbc_api"), "00000", "DROP CONNECTION");
        expectEq(sqlState("DROP CONNECTION jdbc_api"), "42704", "DROP of a missing connection");
        expectEq(count(conn, "sluice.connection"), before, "rows after DROP");
    }

    private static boolean exists(String relation) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, relation);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /* All rows of a one-column result, as one text. */
    private static String rowsOf(String sql) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (PreparedStatement ps = conn.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                b.append(rs.getString(1)).append('\n');
            }
        }
        return b.toString();
    }

    private static final String JDBC_PIPELINE = "CREATE PIPELINE jdbc_events FROM S3 'events/' CONNECTION jdbc_lake "
            + "FORMAT JSON INTO jdbc_pl.events (id bigint, v text, updated_at timestamptz) "
            + "WITH (mode = upsert, primary_key = id, updated_at = updated_at)";

    private static void pipelineStatements() throws Exception {
        expectEq(sqlState("CREATE CONNECTION jdbc_lake TYPE s3 WITH (bucket = 'acme')"), "00000",
                "CREATE CONNECTION");
        try {
            String explain = rowsOf("EXPLAIN " + JDBC_PIPELINE);
            expect(explain.contains("CREATE TABLE \"jdbc_pl\".\"events\""), "EXPLAIN shows the table: " + explain);
            expect(explain.contains("ON CONFLICT (\"id\")"), "EXPLAIN shows the upsert: " + explain);
            expect(!exists("jdbc_pl.events"), "EXPLAIN made no table");
            /* this sluice has no staging_connection setting, which a Redshift load needs */
            expectEq(sqlState("EXPLAIN (DIALECT redshift) " + JDBC_PIPELINE), "22023",
                    "EXPLAIN for Redshift without staging_connection");
            expectEq(sqlState(JDBC_PIPELINE), "00000", "CREATE PIPELINE");
            expect(exists("jdbc_pl.events"), "CREATE PIPELINE made the table");
            expectEq(sqlState(JDBC_PIPELINE), "42710", "a second CREATE PIPELINE with the same name");
            expectEq(sqlState("CREATE PIPELINE jdbc_bad FROM S3 'x/' CONNECTION jdbc_nowhere INTO jdbc_pl.bad (a int)"),
                    "42704", "a missing connection");
            expectEq(sqlState("CREATE PIPELINE jdbc_bad FROM FILES '/x' INTO jdbc_pl.bad (a int) WITH (mode = upsert)"),
                    "22023", "upsert without primary_key");
            for (int run = 0; run < RUNS; run++) {
                try (PreparedStatement ps = conn.prepareStatement("SHOW PIPELINES"); ResultSet rs = ps.executeQuery()) {
                    expectEq(rs.getMetaData().getColumnName(1), "name", "first column");
                    boolean seen = false;
                    while (rs.next()) {
                        if (rs.getString("name").equals("jdbc_events")) {
                            seen = true;
                            expectEq(rs.getString("target"), "jdbc_pl.events", "target");
                            expectEq(rs.getString("mode"), "upsert", "mode");
                            expectEq(rs.getString("state"), "running", "state");
                        }
                    }
                    expect(seen, "SHOW PIPELINES lists jdbc_events, run " + (run + 1));
                }
            }
            try (PreparedStatement ps = conn.prepareStatement("SHOW CREATE PIPELINE jdbc_events");
                 ResultSet rs = ps.executeQuery()) {
                expect(rs.next(), "SHOW CREATE returns a row");
                expect(rs.getString("statement").startsWith("CREATE PIPELINE jdbc_events FROM S3 'events/'"),
                        "SHOW CREATE: " + rs.getString("statement"));
            }
            String run = rowsOf("EXPLAIN RUN PIPELINE jdbc_events");
            expect(run.contains("COPY \"_sluice_stage\"") && run.contains("FROM STDIN"), "EXPLAIN RUN: " + run);
        } finally {
            sqlState("DROP PIPELINE IF EXISTS jdbc_events AND TABLE");
            sqlState("DROP CONNECTION IF EXISTS jdbc_lake");
            exec(conn, "DROP SCHEMA IF EXISTS jdbc_pl CASCADE");
        }
        expect(!exists("jdbc_pl.events"), "DROP PIPELINE … AND TABLE dropped the table");
    }

    private static void pipelineRollback() throws Exception {
        long before = count(conn, "sluice.pipeline");
        conn.setAutoCommit(false);
        try {
            try (PreparedStatement ps = conn.prepareStatement(
                    "CREATE PIPELINE jdbc_tx FROM FILES '/data/*.csv' INTO jdbc_tx_table (a int)")) {
                ps.execute();
            }
            expectEq(count(conn, "sluice.pipeline"), before + 1, "the transaction sees its pipeline");
            expect(exists("jdbc_tx_table"), "the transaction sees its table");
            conn.rollback();
        } finally {
            conn.rollback();
            conn.setAutoCommit(true);
        }
        expectEq(count(conn, "sluice.pipeline"), before, "no pipeline after rollback");
        expect(!exists("jdbc_tx_table"), "no table after rollback");
    }

    private static void commitKeeps() throws Exception {
        conn.setAutoCommit(false);
        try (Connection other = DriverManager.getConnection(url)) {
            insertTx(11, 13);
            try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SHOW sluice.version")) {
                expect(rs.next(), "SHOW sluice.version returns a row inside the transaction");
                expect(VERSION.matcher(rs.getString(1)).find(), "version text: " + rs.getString(1));
            }
            insertTx(14, 15);
            conn.commit();
            expectEq(count(other, "jdbc_tx"), 5L, "rows seen by another session after commit");
        } finally {
            conn.rollback();
            conn.setAutoCommit(true);
        }
        expectEq(count(conn, "jdbc_tx"), 5L, "rows after commit");
    }

    private static void errorThenRollback() throws Exception {
        long before = count(conn, "jdbc_tx");
        conn.setAutoCommit(false);
        try {
            insertTx(100, 100);
            try (Statement st = conn.createStatement()) {
                st.executeQuery("SELECT 1 / (id - id) FROM jdbc_tx WHERE id = 100");
                throw new AssertionError("division by zero did not fail");
            } catch (SQLException e) {
                expectEq(e.getSQLState(), "22012", "SQLSTATE of the division by zero");
            }
            try (Statement st = conn.createStatement()) {
                st.executeQuery("SELECT 1");
                throw new AssertionError("a statement after the error did not fail");
            } catch (SQLException e) {
                expectEq(e.getSQLState(), "25P02", "SQLSTATE of a statement in the failed transaction");
            }
            conn.rollback();
            expectEq(count(conn, "jdbc_tx"), before, "rows after rolling back the failed transaction");
            insertTx(101, 101);
            conn.commit();
        } finally {
            conn.rollback();
            conn.setAutoCommit(true);
        }
        expectEq(count(conn, "jdbc_tx"), before + 1, "rows after a later transaction on the same connection");
    }

    /* Checks the one-row, one-column answer to SHOW sluice.version and returns the text. */
    private static String expectVersion(ResultSet rs, String how) throws SQLException {
        ResultSetMetaData rmd = rs.getMetaData();
        expectEq(rmd.getColumnCount(), 1, how + ": column count");
        expectEq(rmd.getColumnLabel(1), "version", how + ": column name");
        expectEq(rmd.getColumnTypeName(1), "text", how + ": column type");
        expect(rs.next(), how + ": one row");
        String v = rs.getString(1);
        expect(v != null && VERSION.matcher(v).find(), how + ": version text <" + v + ">");
        expectEq(rs.getString("version"), v, how + ": lookup by name");
        expect(!rs.next(), how + ": only one row");
        return v;
    }

    private static void showVersionPrepared() throws Exception {
        try (PreparedStatement ps = conn.prepareStatement("SHOW sluice.version")) {
            for (int i = 1; i <= RUNS; i++) {
                try (ResultSet rs = ps.executeQuery()) {
                    expectVersion(rs, "run " + i);
                }
            }
        }
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT 'after SHOW'")) {
            expect(rs.next() && rs.getString(1).equals("after SHOW"), "a relayed query afterwards");
        }
    }

    private static void showVersionStatement() throws Exception {
        try (Statement st = conn.createStatement()) {
            try (ResultSet rs = st.executeQuery("SHOW sluice.version")) {
                System.out.println("# SHOW sluice.version: " + expectVersion(rs, "executeQuery"));
            }
            expect(st.execute("SHOW sluice.version"), "execute() reports a result set");
            try (ResultSet rs = st.getResultSet()) {
                expectVersion(rs, "execute");
            }
        }
    }

    private static void showVersionSimple() throws Exception {
        try (Connection simple = DriverManager.getConnection(url + "&preferQueryMode=simple");
             Statement st = simple.createStatement()) {
            try (ResultSet rs = st.executeQuery("SHOW sluice.version")) {
                expectVersion(rs, "simple protocol");
            }
            try (PreparedStatement ps = simple.prepareStatement("SELECT ? || '!'")) {
                ps.setString(1, "relayed");
                try (ResultSet rs = ps.executeQuery()) {
                    expect(rs.next() && rs.getString(1).equals("relayed!"), "a parameterized query in simple mode");
                }
            }
        }
    }

    private static void metadata() throws Exception {
        DatabaseMetaData md = conn.getMetaData();
        List<String> tables = new ArrayList<>();
        try (ResultSet rs = md.getTables(null, "public", "jdbc\\_%", new String[] {"TABLE"})) {
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME"));
            }
        }
        expectEq(tables, List.of("jdbc_batch", "jdbc_items", "jdbc_tx"), "tables in public");
        List<String> cols = new ArrayList<>();
        try (ResultSet rs = md.getColumns(null, "public", "jdbc_items", null)) {
            while (rs.next()) {
                cols.add(rs.getString("COLUMN_NAME") + " " + rs.getString("TYPE_NAME"));
            }
        }
        expectEq(cols, List.of("id int4", "name text", "at timestamp", "note text"), "columns of jdbc_items");
        try (ResultSet rs = md.getPrimaryKeys(null, "public", "jdbc_items")) {
            expect(rs.next() && rs.getString("COLUMN_NAME").equals("id"), "primary key of jdbc_items");
        }
    }
}
