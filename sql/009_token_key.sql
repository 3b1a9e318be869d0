-- The key that tags every token convene hands out (manage, join and organiser tokens; see
-- service/app/secrets.hpp). A server can then tell a token it issued from a guess or a typo without
-- asking the database, so a burst of mistyped links from one office never locks out the people there
-- who hold real ones. Shared by every server of the installation, like the cursor key.
INSERT INTO server_secrets (name, value)
VALUES ('tokens', sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')))
ON CONFLICT (name) DO NOTHING;
