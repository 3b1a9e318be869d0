-- The registration form's own questions, as service/core/questions.cpp writes them:
-- {"asked": [question, ...], "retired": [question, ...]}. Answers stay in registrations.answers,
-- keyed by question key (choices by option key), so a question's text can change under them.
ALTER TABLE events ADD COLUMN questions jsonb NOT NULL DEFAULT '{"asked": [], "retired": []}';
