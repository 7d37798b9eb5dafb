-- Disconnect (the whole integration): its items become stand-alone and the integration is kept,
-- marked, so the type and status names its items carry stay. Keep in step with ../sqlite/.
ALTER TABLE psa_integrations ADD COLUMN disconnected_at TIMESTAMPTZ;
