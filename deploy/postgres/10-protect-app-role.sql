-- Run once by the postgres image on its first start (docker-entrypoint-initdb.d), as POSTGRES_USER
-- (`protect`, the owner role that runs migrations). This creates the application's role: it logs
-- in and owns nothing; `manage.py app_database_role grant protect_app` (the compose `migrate`
-- service, after every migration) gives it its privileges, only SELECT and INSERT on the audit log.
-- Trusted on the compose network only; a real deployment gives it a password (README: Database roles).
CREATE ROLE protect_app LOGIN;
