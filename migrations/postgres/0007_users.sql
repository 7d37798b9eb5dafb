-- Users an Administrator manages: deactivated users cannot sign in and their sessions end; a
-- one-time password must be replaced at the next sign-in; the last sign-in is shown on
-- Account > Users. Keep in step with ../sqlite/.
ALTER TABLE users ADD COLUMN deactivated_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN last_sign_in_at TIMESTAMPTZ;
