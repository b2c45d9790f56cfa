namespace SmpVision.Records.Storage;

/// <summary>
/// Versioned schema migrations, shared by SQLite and PostgreSQL (the SQL is the common subset;
/// <c>{id_column}</c> is the dialect's auto-increment key). Each version is applied once, in
/// order, inside one transaction, and recorded in <c>schema_migrations</c>. Never edit a
/// released migration: add the next version.
/// </summary>
internal static class Migrations
{
    public sealed record Migration(int Version, string Description, IReadOnlyList<string> Statements);

    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "patients, visits, captures, comparisons, api keys, audit log", [
            """
            CREATE TABLE installation (
                name TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL)
            """,
            """
            CREATE TABLE patients (
                clinic_id TEXT NOT NULL,
                patient_id TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                PRIMARY KEY (clinic_id, patient_id))
            """,
            """
            CREATE TABLE visits (
                visit_id TEXT NOT NULL PRIMARY KEY,
                clinic_id TEXT NOT NULL,
                patient_id TEXT NOT NULL,
                visit_date TEXT NOT NULL,
                note TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                FOREIGN KEY (clinic_id, patient_id) REFERENCES patients (clinic_id, patient_id) ON DELETE CASCADE)
            """,
            "CREATE INDEX visits_by_patient ON visits (clinic_id, patient_id, visit_id)",
            """
            CREATE TABLE captures (
                capture_id TEXT NOT NULL PRIMARY KEY,
                clinic_id TEXT NOT NULL,
                patient_id TEXT NOT NULL,
                visit_id TEXT NOT NULL REFERENCES visits (visit_id) ON DELETE CASCADE,
                zone TEXT NOT NULL,
                view_kind TEXT NOT NULL,
                modality TEXT NOT NULL,
                device_id TEXT NOT NULL,
                scale_source TEXT NOT NULL,
                pixels_per_mm DOUBLE PRECISION NULL,
                image_sha256 TEXT NOT NULL,
                image_size_bytes BIGINT NOT NULL,
                service_version TEXT NOT NULL,
                pipeline_version TEXT NOT NULL,
                model_version TEXT NOT NULL,
                opencv_version TEXT NOT NULL,
                options_json TEXT NOT NULL,
                analysis_json TEXT NOT NULL,
                hair_count BIGINT NOT NULL,
                fu_count BIGINT NOT NULL,
                hairs_per_cm2 DOUBLE PRECISION NULL,
                hairs_per_cm2_se DOUBLE PRECISION NULL,
                fu_per_cm2 DOUBLE PRECISION NULL,
                fu_per_cm2_se DOUBLE PRECISION NULL,
                bald_fraction DOUBLE PRECISION NULL,
                created_ms BIGINT NOT NULL)
            """,
            "CREATE INDEX captures_by_visit ON captures (clinic_id, visit_id, capture_id)",
            "CREATE INDEX captures_by_patient ON captures (clinic_id, patient_id, zone)",
            "CREATE INDEX captures_by_image ON captures (image_sha256)",
            """
            CREATE TABLE comparisons (
                comparison_id TEXT NOT NULL PRIMARY KEY,
                clinic_id TEXT NOT NULL,
                patient_id TEXT NOT NULL,
                before_capture_id TEXT NOT NULL REFERENCES captures (capture_id) ON DELETE CASCADE,
                after_capture_id TEXT NOT NULL REFERENCES captures (capture_id) ON DELETE CASCADE,
                versions_json TEXT NOT NULL,
                before_versions_json TEXT NOT NULL,
                after_versions_json TEXT NOT NULL,
                reanalysed INTEGER NOT NULL,
                reanalysis_note TEXT NOT NULL,
                result_json TEXT NOT NULL,
                created_ms BIGINT NOT NULL)
            """,
            "CREATE INDEX comparisons_by_patient ON comparisons (clinic_id, patient_id, comparison_id)",
            """
            CREATE TABLE api_keys (
                key_id TEXT NOT NULL PRIMARY KEY,
                clinic_id TEXT NOT NULL,
                name TEXT NOT NULL,
                secret_sha256 TEXT NOT NULL,
                created_ms BIGINT NOT NULL,
                revoked_ms BIGINT NULL)
            """,
            """
            CREATE TABLE audit_log (
                seq {id_column},
                at_ms BIGINT NOT NULL,
                key_id TEXT NOT NULL,
                clinic_id TEXT NOT NULL,
                verb TEXT NOT NULL,
                record_kind TEXT NOT NULL,
                record_id TEXT NOT NULL,
                patient_ref TEXT NOT NULL,
                outcome TEXT NOT NULL)
            """,
            "CREATE INDEX audit_by_clinic ON audit_log (clinic_id, seq)",
        ]),
    ];
}
