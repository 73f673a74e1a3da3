CREATE TABLE "case_stats_daily" (
	"day" date NOT NULL,
	"dim" text NOT NULL,
	"key" text NOT NULL,
	"n" integer NOT NULL,
	CONSTRAINT "case_stats_daily_day_dim_key_pk" PRIMARY KEY("day","dim","key")
);
--> statement-breakpoint
-- One case record's counts, signed (+1 when it appears, -1 when it goes), per UTC day and dimension.
-- Aggregated before the upsert: a record may name one category twice.
CREATE OR REPLACE FUNCTION case_stats_apply(r case_records, sign integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO case_stats_daily AS s (day, dim, key, n)
  SELECT (r.created_at AT TIME ZONE 'UTC')::date, d.dim, coalesce(d.key, ''), sum(sign)::int
  FROM (
    VALUES ('byChannel', r.channel), ('byContactType', r.contact_type), ('byAgeGroup', r.age_group),
           ('byGender', r.gender), ('byPlatform', r.platform), ('byOutcome', r.outcome)
    UNION ALL SELECT 'byInsafeCategory', c FROM unnest(r.categories) c
    UNION ALL SELECT 'byChiCategory', c FROM unnest(r.chi_categories) c
  ) AS d(dim, key)
  GROUP BY 1, 2, 3
  ON CONFLICT (day, dim, key) DO UPDATE SET n = s.n + excluded.n;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION case_stats_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM case_stats_apply(OLD, -1); END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM case_stats_apply(NEW, 1); END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER case_stats AFTER INSERT OR DELETE OR UPDATE OF created_at, channel, contact_type, age_group, gender, platform, outcome, categories, chi_categories
  ON case_records FOR EACH ROW EXECUTE FUNCTION case_stats_trigger();
--> statement-breakpoint
-- The records already there (an upgrade of a centre with years of them).
INSERT INTO case_stats_daily (day, dim, key, n)
SELECT (r.created_at AT TIME ZONE 'UTC')::date, d.dim, coalesce(d.key, ''), count(*)::int
FROM case_records r
CROSS JOIN LATERAL (
  VALUES ('byChannel', r.channel), ('byContactType', r.contact_type), ('byAgeGroup', r.age_group),
         ('byGender', r.gender), ('byPlatform', r.platform), ('byOutcome', r.outcome)
  UNION ALL SELECT 'byInsafeCategory', c FROM unnest(r.categories) c
  UNION ALL SELECT 'byChiCategory', c FROM unnest(r.chi_categories) c
) AS d(dim, key)
GROUP BY 1, 2, 3;
