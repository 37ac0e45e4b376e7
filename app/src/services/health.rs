use sqlx::PgPool;

/// Does the database answer? Used by `/readyz`.
pub async fn database_ready(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!("SELECT 1 AS \"one!\"")
        .fetch_one(pool)
        .await
        .map(|_| ())
}
