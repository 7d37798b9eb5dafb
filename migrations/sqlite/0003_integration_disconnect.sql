-- Disconnect (the whole integration): its items become stand-alone and the integration is kept,
-- marked, so the type and status names its items carry stay. Keep in step with ../postgres/.
ALTER TABLE psa_integrations ADD COLUMN disconnected_at TEXT;
