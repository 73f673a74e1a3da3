ALTER TABLE "case_records" ADD COLUMN "summary_fold" text;
--> statement-breakpoint
-- A search key that is the same for a word in either Serbian script, with or without diacritics, in any
-- case: the SQL twin of searchFold in shared/src/serbian.ts, step by step in the same order (lower case;
-- Serbian Cyrillic to Latin, digraph letters included; dj and đ to d; NFKD with the marks removed).
-- Capitals are mapped explicitly as well, because lower() folds only ASCII on a database whose LC_CTYPE is
-- C; the final lower() catches the Latin capitals the marks were taken from. Bulgarian letters outside
-- Serbian stay Cyrillic. server/test/console/case-search.test.ts checks it against searchFold.
CREATE OR REPLACE FUNCTION search_fold(s text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT lower(regexp_replace(normalize(
    replace(replace(
      replace(replace(replace(replace(replace(replace(
        translate(lower(s),
          'аАбБвВгГдДђЂеЕжЖзЗиИјЈкКлЛмМнНоОпПрРсСтТћЋуУфФхХцЦчЧшШĐЙЩЪЬЮЯЁЭЫ',
          'aabbvvggddđđeežžzziijjkkllmmnnoopprrssttććuuffhhccččššđйщъьюяёэы'),
        'љ', 'lj'), 'Љ', 'lj'), 'њ', 'nj'), 'Њ', 'nj'), 'џ', 'dž'), 'Џ', 'dž'),
      'dj', 'đ'), 'đ', 'd'),
    NFKD), '[\u0300-\u036f]', '', 'g'))
$$;
--> statement-breakpoint
-- Kept on every write of a summary, by this version or the one before it during an upgrade, and emptied
-- with the summary by a retention purge.
CREATE OR REPLACE FUNCTION case_summary_fold_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.summary_fold := search_fold(NEW.summary);
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER case_summary_fold BEFORE INSERT OR UPDATE OF summary
  ON case_records FOR EACH ROW EXECUTE FUNCTION case_summary_fold_trigger();
--> statement-breakpoint
-- The records already there.
UPDATE case_records SET summary_fold = search_fold(summary) WHERE summary_fold IS NULL;
