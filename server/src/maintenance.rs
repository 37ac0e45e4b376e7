//! The housekeeping every portal process runs (several may at once).

/// Each minute, the per-period usage totals once the day has changed.
/// Hourly housekeeping: every table's rows past their retention
/// (`services::retention`), resolved tickets due to close,
/// accounts unpaid past their grace period, domains pending too long, and
/// attachment files no ticket points to. Several processes may run it.
pub async fn run(
    pool: sqlx::PgPool,
    retention: services::retention::Retention,
    grace_days: i64,
    links: services::identity::Links,
    storage: services::tickets::files::Storage,
) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    let mut each_minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = each_minute.tick() => {
                let today = time::OffsetDateTime::now_utc().date();
                let rolled = services::hosting::usage::roll_windows(&pool, today).await;
                crate::metrics::job("usage_windows", &rolled);
                match rolled {
                    Ok(true) => tracing::info!(%today, "summed the usage periods up to today"),
                    Ok(false) => {}
                    Err(error) => tracing::warn!(%error, "could not sum the usage periods"),
                }
                continue;
            }
            _ = every.tick() => {}
        }
        let now = time::OffsetDateTime::now_utc();
        let mut failed = None;
        for (table, pruned) in services::retention::prune_all(&pool, &retention, now).await {
            match pruned {
                Ok(n) if n > 0 => tracing::info!(table, deleted = n, "pruned rows past their retention"),
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(table, %error, "could not prune rows past their retention");
                    failed = Some(error);
                }
            }
        }
        crate::metrics::job("retention", &failed.map_or(Ok(()), Err));
        let closed = services::tickets::thread::auto_close(&pool, now).await;
        crate::metrics::job("tickets_auto_close", &closed);
        match closed {
            Ok(n) if n > 0 => tracing::info!(closed = n, "closed tickets resolved 7 days ago"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not close resolved tickets"),
        }
        let suspended = services::billing::grace::suspend_overdue(&pool, now, grace_days).await;
        crate::metrics::job("billing_grace", &suspended);
        if let Err(error) = suspended {
            tracing::warn!(%error, "could not suspend overdue accounts");
        }
        let expired = services::dns::expiry::expire_pending(&pool, &links, now).await;
        crate::metrics::job("domains_expiry", &expired);
        if let Err(error) = expired {
            tracing::warn!(%error, "could not expire pending domains");
        }
        use services::tickets::files;
        let swept = files::sweep(
            &pool,
            &storage,
            std::time::SystemTime::now(),
            files::SWEEP_MIN_AGE,
        )
        .await;
        crate::metrics::job("attachments_sweep", &swept);
        match swept {
            Ok(n) if n > 0 => tracing::info!(removed = n, "removed attachment files no ticket points to"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not sweep attachment files"),
        }
    }
}

/// Every few minutes, each site from outside its node
/// (`services::sites::outside`). Several processes may run it: they only
/// write the latest finding.
pub async fn check_sites(pool: sqlx::PgPool, settings: services::sites::outside::OutsideChecks) {
    let mut every = tokio::time::interval(services::sites::outside::EVERY);
    loop {
        every.tick().await;
        let checked =
            services::sites::outside::check_all(&pool, &settings, time::OffsetDateTime::now_utc()).await;
        crate::metrics::job("sites_outside_checks", &checked);
        if let Err(error) = checked {
            tracing::warn!(error = %format!("{error:#}"), "could not check sites from outside their nodes");
        }
    }
}
