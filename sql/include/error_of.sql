-- pg_temp.error_of(query): runs a statement and shows its error (addresses and
-- ports masked), caught in a subtransaction. Included by several tests.
CREATE FUNCTION pg_temp.error_of(query text, OUT state text, OUT message text, OUT detail text)
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE query;
  state := 'none';
EXCEPTION WHEN OTHERS THEN
  GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL;
  message := regexp_replace(message, '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+:[0-9]+', 'ADDRESS', 'g');
  message := regexp_replace(message, ':[0-9]+', ':PORT', 'g');
END $$;
