-- `ksf dns` says here when a zone it should serve cannot be built (a stored
-- row that no longer reads back): the domain page shows it, and the other
-- zones are served all the same. NULL while the zone is served. Writing it
-- does not announce a zone change (the notify trigger watches status and
-- serial only).
ALTER TABLE domains
    ADD COLUMN serving_problem text CHECK (length(serving_problem) <= 500);
