-- 0002: face images encrypted at rest (AES-256-GCM, key in a 0600 file
-- beside the store). png_enc says how png is stored: 0 the plain PNG of a
-- store made before encryption (re-encrypted when the store opens), 1
-- nonce || AES-256-GCM(PNG) with the capture id as associated data.
ALTER TABLE captures ADD COLUMN png_enc INTEGER NOT NULL DEFAULT 0 CHECK (png_enc IN (0, 1));
