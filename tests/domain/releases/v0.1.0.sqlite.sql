-- Polytask upgrade fixture: the database release v0.1.0 wrote (scripts/release-fixture.py).
-- name: v0.1.0
-- ref: HEAD
-- commit: a8c7d200982b36b68b17a24c724c43e9d1f21dbe
-- revision: 0016
-- engine: sqlite
-- api_key: ptk_1f0b72314ddc_brnl4O41SqJBbg7yv8nIkGolEeUKRdY24kS1JiIuU6A
-- password: release-fixture-password
BEGIN TRANSACTION;
CREATE TABLE alembic_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
INSERT INTO "alembic_version"("version_num") VALUES('0016');
CREATE TABLE events (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	type VARCHAR(100) NOT NULL, 
	workspace_id INTEGER, 
	resource_type VARCHAR(50) NOT NULL, 
	resource_id INTEGER NOT NULL, 
	actor_user_id INTEGER, 
	credential_kind VARCHAR(20), 
	credential_id INTEGER, 
	occurred_at DATETIME NOT NULL, 
	changes JSON NOT NULL, 
	snapshot JSON NOT NULL
, project_id INTEGER, client_ip VARCHAR(64));
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(1,'user.created',NULL,'user',1,NULL,NULL,NULL,'2026-12-03 18:08:10.121901','{}','{"username": "ann", "email": "ann@example.com", "name": "Ann", "role": "admin", "department": null, "is_active": true}',NULL,NULL);
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(2,'workspace.created',1,'workspace',1,NULL,NULL,NULL,'2026-12-03 18:08:10.125724','{}','{"name": "Ann''s workspace", "description": "", "settings": {}, "security": {}}',NULL,NULL);
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(3,'api_key.created',NULL,'api_key',1,NULL,NULL,NULL,'2026-12-03 18:08:11.539197','{}','{"name": "release fixture", "user_id": 1, "scopes": null, "workspace_id": null}',NULL,NULL);
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(4,'workspace.created',2,'workspace',2,1,'api_key',1,'2026-12-03 18:08:16.299765','{}','{"name": "Acme", "description": "Written by a release", "settings": {}, "security": {}}',NULL,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(5,'invite.created',2,'invite',1,1,'api_key',1,'2026-12-03 18:08:16.315877','{}','{"email": "bob@example.com", "role": "member"}',NULL,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(6,'user.created',NULL,'user',2,NULL,NULL,NULL,'2026-12-03 18:08:16.591825','{}','{"username": "bob", "email": "bob@example.com", "name": "Bob", "role": "user", "department": null, "is_active": true}',NULL,NULL);
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(7,'workspace.created',3,'workspace',3,NULL,NULL,NULL,'2026-12-03 18:08:16.592848','{}','{"name": "Bob''s workspace", "description": "", "settings": {}, "security": {}}',NULL,NULL);
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(8,'invite.accepted',2,'invite',1,2,'system',NULL,'2026-12-03 18:08:16.596144','{"status": {"from": "pending", "to": "accepted"}}','{"email": "bob@example.com", "user_id": 2}',NULL,NULL);
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(9,'member.added',2,'member',4,2,'system',NULL,'2026-12-03 18:08:16.596619','{}','{"user_id": 2, "role": "member"}',NULL,NULL);
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(10,'api_key.created',NULL,'api_key',2,2,'system',NULL,'2026-12-03 18:08:16.598563','{}','{"name": "Invite sign-up", "user_id": 2, "scopes": null, "workspace_id": null}',NULL,NULL);
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(11,'user.password_reset_requested',NULL,'user',1,NULL,NULL,NULL,'2026-12-03 18:08:16.614911','{}','{"client_ip": "127.0.0.1"}',NULL,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(12,'invite.created',2,'invite',2,1,'api_key',1,'2026-12-03 18:08:16.623748','{}','{"email": "carol@example.com", "role": "viewer"}',NULL,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(13,'project.created',2,'project',1,1,'api_key',1,'2026-12-03 18:08:16.644150','{}','{"name": "Roadmap", "description": "What the release planned", "type": "kanban", "status": "active", "start_date": null, "due_date": null, "settings": {}, "custom_field_definitions": {}, "custom_fields": {}, "workspace_id": 2, "budget_minor": null, "currency": "USD"}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(14,'custom_field.created',2,'custom_field',1,1,'api_key',1,'2026-12-03 18:08:16.654652','{}','{"project_id": 1, "key": "estimate", "name": "estimate", "type": "number", "required": false, "default_value": null, "options": [], "position": 0.0, "config": {}}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(15,'custom_field.created',2,'custom_field',2,1,'api_key',1,'2026-12-03 18:08:16.659438','{}','{"project_id": 1, "key": "stage", "name": "stage", "type": "dropdown", "required": false, "default_value": null, "options": ["idea", "doing", "done"], "position": 1.0, "config": {}}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(16,'project.created',2,'project',2,1,'api_key',1,'2026-12-03 18:08:16.665808','{}','{"name": "Archive", "description": "", "type": "list", "status": "archived", "start_date": null, "due_date": null, "settings": {}, "custom_field_definitions": {}, "custom_fields": {}, "workspace_id": 2, "budget_minor": null, "currency": "USD"}',2,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(17,'section.created',2,'section',1,1,'api_key',1,'2026-12-03 18:08:16.675900','{}','{"name": "Backlog", "position": 1024.0, "project_id": 1}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(18,'section.created',2,'section',2,1,'api_key',1,'2026-12-03 18:08:16.681414','{}','{"name": "Doing", "position": 2048.0, "project_id": 1}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(19,'task.created',2,'task',1,1,'api_key',1,'2026-12-03 18:08:16.691462','{}','{"name":"Ship the upgrade","description":"From the release fixture","status":"pending","priority":"high","due_date":"2027-01-15T00:00:00Z","start_date":null,"progress":0,"estimated_hours":null,"section_id":1,"parent_id":null,"position":1024.0,"project_id":1,"completed_at":null,"completed_by_id":null,"custom_fields":{"estimate":3,"stage":"doing"},"assignee_ids":[2],"labels":["release","db"],"dependencies":[]}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(20,'task.created',2,'task',2,1,'api_key',1,'2026-12-03 18:08:16.699448','{}','{"name":"Write the notes","description":"","status":"pending","priority":null,"due_date":null,"start_date":null,"progress":0,"estimated_hours":null,"section_id":null,"parent_id":1,"position":2048.0,"project_id":1,"completed_at":null,"completed_by_id":null,"custom_fields":{},"assignee_ids":[],"labels":[],"dependencies":[]}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(21,'task.created',2,'task',3,1,'api_key',1,'2026-12-03 18:08:16.704040','{}','{"name":"Tag it","description":"","status":"pending","priority":null,"due_date":null,"start_date":null,"progress":0,"estimated_hours":null,"section_id":null,"parent_id":null,"position":3072.0,"project_id":1,"completed_at":null,"completed_by_id":null,"custom_fields":{},"assignee_ids":[],"labels":["release"],"dependencies":[]}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(22,'task.completed',2,'task',3,1,'api_key',1,'2026-12-03 18:08:16.716889','{"status": {"from": "pending", "to": "completed"}, "progress": {"from": 0, "to": 100}, "completed_at": {"from": null, "to": "2026-12-03T18:08:16.715546Z"}, "completed_by_id": {"from": null, "to": 1}}','{"name": "Tag it", "description": "", "status": "completed", "priority": null, "due_date": null, "start_date": null, "progress": 100, "estimated_hours": null, "section_id": null, "parent_id": null, "position": 3072.0, "project_id": 1, "completed_at": "2026-12-03T18:08:16.715546Z", "completed_by_id": 1, "custom_fields": {}, "assignee_ids": [], "labels": ["release"], "dependencies": []}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(23,'comment.created',2,'comment',1,1,'api_key',1,'2026-12-03 18:08:16.728775','{}','{"task_id": 1, "body": "Looks good"}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(24,'webhook.created',2,'webhook',1,1,'api_key',1,'2026-12-03 18:08:16.737901','{}','{"url": "http://127.0.0.1:9/polytask", "events": ["task.*"], "project_id": null, "description": "Old receiver", "active": true, "disabled_reason": null}',NULL,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(25,'task.created',2,'task',4,1,'api_key',1,'2026-12-03 18:08:16.749507','{}','{"name":"Tell the receiver","description":"","status":"pending","priority":null,"due_date":null,"start_date":null,"progress":0,"estimated_hours":null,"section_id":null,"parent_id":null,"position":4096.0,"project_id":1,"completed_at":null,"completed_by_id":null,"custom_fields":{},"assignee_ids":[],"labels":[],"dependencies":[]}',1,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(26,'auth.login_succeeded',NULL,'user',1,NULL,NULL,NULL,'2026-12-03 18:08:17.031264','{}','{"login": "ann", "client_ip": "127.0.0.1", "surface": "taskflow"}',NULL,'127.0.0.1');
INSERT INTO "events"("id", "type", "workspace_id", "resource_type", "resource_id", "actor_user_id", "credential_kind", "credential_id", "occurred_at", "changes", "snapshot", "project_id", "client_ip") VALUES(27,'project.created',1,'project',3,1,'session',1,'2026-12-03 18:08:17.051589','{}','{"name": "Budgeted", "description": "TaskFlow project", "type": "list", "status": "active", "start_date": "2027-01-01", "due_date": null, "settings": {}, "custom_field_definitions": {}, "custom_fields": {}, "workspace_id": 1, "budget_minor": 7500050, "currency": "USD"}',3,'127.0.0.1');
CREATE TABLE users (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	username VARCHAR(150) NOT NULL, 
	email VARCHAR(320) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	password_hash VARCHAR(255), 
	role VARCHAR(20) NOT NULL, 
	department VARCHAR(100), 
	is_active BOOLEAN NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT uq_users_email UNIQUE (email), 
	CONSTRAINT uq_users_username UNIQUE (username)
);
INSERT INTO "users"("id", "username", "email", "name", "password_hash", "role", "department", "is_active", "created_at", "updated_at") VALUES(1,'ann','ann@example.com','Ann','$argon2id$v=19$m=65536,t=3,p=4$p1gy4FHvCsUgEAsRDC4NoQ$26yeJamfeTEFVDhHN1Xk9nqd8QO3gg6FluRKoIaXO5E','admin',NULL,1,'2026-12-03 18:08:10.121179','2026-12-03 18:08:10.121185');
INSERT INTO "users"("id", "username", "email", "name", "password_hash", "role", "department", "is_active", "created_at", "updated_at") VALUES(2,'bob','bob@example.com','Bob','$argon2id$v=19$m=65536,t=3,p=4$pbaoKFmNLJUGCJnanjgMNg$q4Eq7cSvxs98tm/6lsAD9QnFFTJHWQN3YTsga3XVrXA','user',NULL,1,'2026-12-03 18:08:16.591108','2026-12-03 18:08:16.591117');
CREATE TABLE api_keys (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	user_id INTEGER NOT NULL, 
	workspace_id INTEGER, 
	name VARCHAR(200) NOT NULL, 
	prefix VARCHAR(32) NOT NULL, 
	key_hash VARCHAR(64) NOT NULL, 
	scopes JSON, 
	expires_at DATETIME, 
	last_used_at DATETIME, 
	revoked_at DATETIME, 
	created_at DATETIME NOT NULL, rate_plan VARCHAR(64), 
	CONSTRAINT fk_api_keys_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_api_keys_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
	CONSTRAINT uq_api_keys_prefix UNIQUE (prefix)
);
INSERT INTO "api_keys"("id", "user_id", "workspace_id", "name", "prefix", "key_hash", "scopes", "expires_at", "last_used_at", "revoked_at", "created_at", "rate_plan") VALUES(1,1,NULL,'release fixture','1f0b72314ddc','dcb54fd29729e96ee9f0657ae26ff7287e7fd9a741d9aeb9fdc5fdd90830a16f','null',NULL,'2026-12-03 18:08:16.294146',NULL,'2026-12-03 18:08:11.538305',NULL);
INSERT INTO "api_keys"("id", "user_id", "workspace_id", "name", "prefix", "key_hash", "scopes", "expires_at", "last_used_at", "revoked_at", "created_at", "rate_plan") VALUES(2,2,NULL,'Invite sign-up','f5eeff4aa29b','d95f0b78d25853b6fa0aee7361fd870807e0ac6e965c3594fe14851ecff6dec9','null',NULL,NULL,NULL,'2026-12-03 18:08:16.598041',NULL);
CREATE TABLE projects (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	name VARCHAR(300) NOT NULL, 
	description TEXT NOT NULL, 
	type VARCHAR(20) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	start_date DATE, 
	due_date DATE, 
	settings JSON NOT NULL, 
	custom_field_definitions JSON NOT NULL, 
	custom_fields JSON NOT NULL, 
	created_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, budget_minor BIGINT, currency VARCHAR(3) DEFAULT 'USD' NOT NULL, 
	CONSTRAINT fk_projects_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_projects_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
INSERT INTO "projects"("id", "workspace_id", "name", "description", "type", "status", "start_date", "due_date", "settings", "custom_field_definitions", "custom_fields", "created_by_id", "created_at", "updated_at", "budget_minor", "currency") VALUES(1,2,'Roadmap','What the release planned','kanban','active',NULL,NULL,'{}','{"estimate": {"id": "field_1", "name": "estimate", "type": "number", "required": false}, "stage": {"id": "field_2", "name": "stage", "type": "dropdown", "required": false, "options": ["idea", "doing", "done"]}}','{}',1,'2026-12-03 18:08:16.643192','2026-12-03 18:08:16.659908',NULL,'USD');
INSERT INTO "projects"("id", "workspace_id", "name", "description", "type", "status", "start_date", "due_date", "settings", "custom_field_definitions", "custom_fields", "created_by_id", "created_at", "updated_at", "budget_minor", "currency") VALUES(2,2,'Archive','','list','archived',NULL,NULL,'{}','{}','{}',1,'2026-12-03 18:08:16.665241','2026-12-03 18:08:16.665244',NULL,'USD');
INSERT INTO "projects"("id", "workspace_id", "name", "description", "type", "status", "start_date", "due_date", "settings", "custom_field_definitions", "custom_fields", "created_by_id", "created_at", "updated_at", "budget_minor", "currency") VALUES(3,1,'Budgeted','TaskFlow project','list','active','2027-01-01',NULL,'{}','{}','{}',1,'2026-12-03 18:08:17.051181','2026-12-03 18:08:17.051186',7500050,'USD');
CREATE TABLE sections (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	project_id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	position FLOAT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_sections_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE
);
INSERT INTO "sections"("id", "project_id", "name", "position", "created_at", "updated_at") VALUES(1,1,'Backlog',1024.0,'2026-12-03 18:08:16.675330','2026-12-03 18:08:16.675338');
INSERT INTO "sections"("id", "project_id", "name", "position", "created_at", "updated_at") VALUES(2,1,'Doing',2048.0,'2026-12-03 18:08:16.681210','2026-12-03 18:08:16.681213');
CREATE TABLE tasks (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	section_id INTEGER, 
	parent_id INTEGER, 
	name VARCHAR(500) NOT NULL, 
	description TEXT NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	priority VARCHAR(20), 
	due_date DATETIME, 
	start_date DATETIME, 
	progress INTEGER NOT NULL, 
	estimated_hours FLOAT, 
	completed_at DATETIME, 
	completed_by_id INTEGER, 
	position FLOAT NOT NULL, 
	custom_fields JSON NOT NULL, 
	created_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, completion_notes TEXT, 
	CONSTRAINT fk_tasks_completed_by_id_users FOREIGN KEY(completed_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_tasks_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_tasks_parent_id_tasks FOREIGN KEY(parent_id) REFERENCES tasks (id) ON DELETE CASCADE, 
	CONSTRAINT fk_tasks_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_tasks_section_id_sections FOREIGN KEY(section_id) REFERENCES sections (id) ON DELETE SET NULL, 
	CONSTRAINT fk_tasks_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
INSERT INTO "tasks"("id", "workspace_id", "project_id", "section_id", "parent_id", "name", "description", "status", "priority", "due_date", "start_date", "progress", "estimated_hours", "completed_at", "completed_by_id", "position", "custom_fields", "created_by_id", "created_at", "updated_at", "completion_notes") VALUES(1,2,1,1,NULL,'Ship the upgrade','From the release fixture','pending','high','2027-01-15 00:00:00.000000',NULL,0,NULL,NULL,NULL,1024.0,'{"estimate":3,"stage":"doing"}',1,'2026-12-03 18:08:16.691462','2026-12-03 18:08:16.691462',NULL);
INSERT INTO "tasks"("id", "workspace_id", "project_id", "section_id", "parent_id", "name", "description", "status", "priority", "due_date", "start_date", "progress", "estimated_hours", "completed_at", "completed_by_id", "position", "custom_fields", "created_by_id", "created_at", "updated_at", "completion_notes") VALUES(2,2,1,NULL,1,'Write the notes','','pending',NULL,NULL,NULL,0,NULL,NULL,NULL,2048.0,'{}',1,'2026-12-03 18:08:16.699448','2026-12-03 18:08:16.699448',NULL);
INSERT INTO "tasks"("id", "workspace_id", "project_id", "section_id", "parent_id", "name", "description", "status", "priority", "due_date", "start_date", "progress", "estimated_hours", "completed_at", "completed_by_id", "position", "custom_fields", "created_by_id", "created_at", "updated_at", "completion_notes") VALUES(3,2,1,NULL,NULL,'Tag it','','completed',NULL,NULL,NULL,100,NULL,'2026-12-03 18:08:16.715546',1,3072.0,'{}',1,'2026-12-03 18:08:16.704040','2026-12-03 18:08:16.715613',NULL);
INSERT INTO "tasks"("id", "workspace_id", "project_id", "section_id", "parent_id", "name", "description", "status", "priority", "due_date", "start_date", "progress", "estimated_hours", "completed_at", "completed_by_id", "position", "custom_fields", "created_by_id", "created_at", "updated_at", "completion_notes") VALUES(4,2,1,NULL,NULL,'Tell the receiver','','pending',NULL,NULL,NULL,0,NULL,NULL,NULL,4096.0,'{}',1,'2026-12-03 18:08:16.749507','2026-12-03 18:08:16.749507',NULL);
CREATE TABLE comments (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	task_id INTEGER NOT NULL, 
	author_id INTEGER, 
	body TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_comments_author_id_users FOREIGN KEY(author_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_comments_task_id_tasks FOREIGN KEY(task_id) REFERENCES tasks (id) ON DELETE CASCADE
);
INSERT INTO "comments"("id", "task_id", "author_id", "body", "created_at", "updated_at") VALUES(1,1,1,'Looks good','2026-12-03 18:08:16.727613','2026-12-03 18:08:16.727687');
CREATE TABLE task_assignees (
	task_id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	CONSTRAINT pk_task_assignees PRIMARY KEY (task_id, user_id), 
	CONSTRAINT fk_task_assignees_task_id_tasks FOREIGN KEY(task_id) REFERENCES tasks (id) ON DELETE CASCADE, 
	CONSTRAINT fk_task_assignees_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
INSERT INTO "task_assignees"("task_id", "user_id", "position") VALUES(1,2,0);
CREATE TABLE task_dependencies (
	task_id INTEGER NOT NULL, 
	depends_on_id INTEGER NOT NULL, 
	CONSTRAINT pk_task_dependencies PRIMARY KEY (task_id, depends_on_id), 
	CONSTRAINT fk_task_dependencies_depends_on_id_tasks FOREIGN KEY(depends_on_id) REFERENCES tasks (id) ON DELETE CASCADE, 
	CONSTRAINT fk_task_dependencies_task_id_tasks FOREIGN KEY(task_id) REFERENCES tasks (id) ON DELETE CASCADE
);
CREATE TABLE task_labels (
	task_id INTEGER NOT NULL, 
	label VARCHAR(100) NOT NULL, 
	CONSTRAINT pk_task_labels PRIMARY KEY (task_id, label), 
	CONSTRAINT fk_task_labels_task_id_tasks FOREIGN KEY(task_id) REFERENCES tasks (id) ON DELETE CASCADE
);
INSERT INTO "task_labels"("task_id", "label") VALUES(1,'release');
INSERT INTO "task_labels"("task_id", "label") VALUES(1,'db');
INSERT INTO "task_labels"("task_id", "label") VALUES(3,'release');
CREATE TABLE "workspaces" (
	id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	description TEXT NOT NULL, 
	settings JSON NOT NULL, 
	created_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	security JSON DEFAULT '{}' NOT NULL, 
	ip_allowlist_enabled BOOLEAN DEFAULT 0 NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT fk_workspaces_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL
);
INSERT INTO "workspaces"("id", "name", "description", "settings", "created_by_id", "created_at", "updated_at", "security", "ip_allowlist_enabled") VALUES(1,'Ann''s workspace','','{}',1,'2026-12-03 18:08:10.123954','2026-12-03 18:08:10.123958','{}',0);
INSERT INTO "workspaces"("id", "name", "description", "settings", "created_by_id", "created_at", "updated_at", "security", "ip_allowlist_enabled") VALUES(2,'Acme','Written by a release','{}',1,'2026-12-03 18:08:16.297498','2026-12-03 18:08:16.297502','{}',0);
INSERT INTO "workspaces"("id", "name", "description", "settings", "created_by_id", "created_at", "updated_at", "security", "ip_allowlist_enabled") VALUES(3,'Bob''s workspace','','{}',2,'2026-12-03 18:08:16.592281','2026-12-03 18:08:16.592283','{}',0);
CREATE TABLE field_definitions (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	project_id INTEGER, 
	"key" VARCHAR(100) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	type VARCHAR(20) NOT NULL, 
	required BOOLEAN NOT NULL, 
	default_value JSON, 
	options JSON NOT NULL, 
	position FLOAT NOT NULL, 
	config JSON NOT NULL, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_field_definitions_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_field_definitions_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
INSERT INTO "field_definitions"("id", "workspace_id", "project_id", "key", "name", "type", "required", "default_value", "options", "position", "config", "created_at", "updated_at") VALUES(1,2,1,'estimate','estimate','number',0,'null','[]',0.0,'{}','2026-12-03 18:08:16.652466','2026-12-03 18:08:16.652473');
INSERT INTO "field_definitions"("id", "workspace_id", "project_id", "key", "name", "type", "required", "default_value", "options", "position", "config", "created_at", "updated_at") VALUES(2,2,1,'stage','stage','dropdown',0,'null','["idea", "doing", "done"]',1.0,'{}','2026-12-03 18:08:16.658705','2026-12-03 18:08:16.658709');
CREATE TABLE saved_views (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	filter JSON NOT NULL, 
	sort VARCHAR(500), 
	fields VARCHAR(1000), 
	layout VARCHAR(20) NOT NULL, 
	created_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_saved_views_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_saved_views_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_saved_views_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
CREATE VIRTUAL TABLE search_tasks USING fts5(name, description, comments, tokenize='unicode61 remove_diacritics 2');
INSERT INTO "search_tasks"(rowid, "name", "description", "comments") VALUES(1,'Ship the upgrade','From the release fixture','Looks good');
INSERT INTO "search_tasks"(rowid, "name", "description", "comments") VALUES(2,'Write the notes','','');
INSERT INTO "search_tasks"(rowid, "name", "description", "comments") VALUES(3,'Tag it','','');
INSERT INTO "search_tasks"(rowid, "name", "description", "comments") VALUES(4,'Tell the receiver','','');
CREATE VIRTUAL TABLE search_projects USING fts5(name, description, tokenize='unicode61 remove_diacritics 2');
INSERT INTO "search_projects"(rowid, "name", "description") VALUES(1,'Roadmap','What the release planned');
INSERT INTO "search_projects"(rowid, "name", "description") VALUES(2,'Archive','');
INSERT INTO "search_projects"(rowid, "name", "description") VALUES(3,'Budgeted','TaskFlow project');
CREATE TABLE task_lists (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	owner_id INTEGER NOT NULL, 
	name VARCHAR(300) NOT NULL, 
	description TEXT NOT NULL, 
	flagship BOOLEAN NOT NULL, 
	project_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_task_lists_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
	CONSTRAINT fk_task_lists_owner_id_users FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_task_lists_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE SET NULL
);
CREATE TABLE task_list_items (
	list_id INTEGER NOT NULL, 
	task_id INTEGER NOT NULL, 
	position FLOAT NOT NULL, 
	added_at DATETIME NOT NULL, 
	CONSTRAINT pk_task_list_items PRIMARY KEY (list_id, task_id), 
	CONSTRAINT fk_task_list_items_list_id_task_lists FOREIGN KEY(list_id) REFERENCES task_lists (id) ON DELETE CASCADE, 
	CONSTRAINT fk_task_list_items_task_id_tasks FOREIGN KEY(task_id) REFERENCES tasks (id) ON DELETE CASCADE
);
CREATE TABLE task_list_collaborators (
	list_id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	added_at DATETIME NOT NULL, 
	CONSTRAINT pk_task_list_collaborators PRIMARY KEY (list_id, user_id), 
	CONSTRAINT fk_task_list_collaborators_list_id_task_lists FOREIGN KEY(list_id) REFERENCES task_lists (id) ON DELETE CASCADE, 
	CONSTRAINT fk_task_list_collaborators_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE task_seen (
	task_id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	seen_at DATETIME NOT NULL, 
	CONSTRAINT pk_task_seen PRIMARY KEY (task_id, user_id), 
	CONSTRAINT fk_task_seen_task_id_tasks FOREIGN KEY(task_id) REFERENCES tasks (id) ON DELETE CASCADE, 
	CONSTRAINT fk_task_seen_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE
);
CREATE TABLE task_email_links (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	task_id INTEGER NOT NULL, 
	gmail_thread_id VARCHAR(200) NOT NULL, 
	subject VARCHAR(1000) NOT NULL, 
	sender VARCHAR(320) NOT NULL, 
	added_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT fk_task_email_links_task_id_tasks FOREIGN KEY(task_id) REFERENCES tasks (id) ON DELETE CASCADE, 
	CONSTRAINT fk_task_email_links_added_by_id_users FOREIGN KEY(added_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT uq_task_email_links_task_id_gmail_thread_id UNIQUE (task_id, gmail_thread_id)
);
CREATE TABLE webhooks (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	project_id INTEGER, 
	created_by_id INTEGER, 
	url VARCHAR(2048) NOT NULL, 
	events JSON NOT NULL, 
	description TEXT NOT NULL, 
	secret VARCHAR(255) NOT NULL, 
	previous_secret VARCHAR(255), 
	previous_secret_expires_at DATETIME, 
	active BOOLEAN NOT NULL, 
	disabled_reason VARCHAR(500), 
	failing_since DATETIME, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_webhooks_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_webhooks_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE
);
INSERT INTO "webhooks"("id", "workspace_id", "project_id", "created_by_id", "url", "events", "description", "secret", "previous_secret", "previous_secret_expires_at", "active", "disabled_reason", "failing_since", "created_at", "updated_at") VALUES(1,2,NULL,1,'http://127.0.0.1:9/polytask','["task.*"]','Old receiver','release-fixture-secret',NULL,NULL,1,NULL,NULL,'2026-12-03 18:08:16.737010','2026-12-03 18:08:16.737016');
CREATE TABLE webhook_deliveries (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	webhook_id INTEGER NOT NULL, 
	message_id VARCHAR(64) NOT NULL, 
	event_id BIGINT, 
	event_type VARCHAR(100) NOT NULL, 
	body TEXT NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at DATETIME NOT NULL, 
	claimed_by VARCHAR(64), 
	claimed_until DATETIME, 
	last_status_code INTEGER, 
	last_error VARCHAR(500), 
	created_at DATETIME NOT NULL, 
	delivered_at DATETIME, 
	CONSTRAINT fk_webhook_deliveries_webhook_id_webhooks FOREIGN KEY(webhook_id) REFERENCES webhooks (id) ON DELETE CASCADE, 
	CONSTRAINT uq_webhook_deliveries_message_id UNIQUE (message_id)
);
INSERT INTO "webhook_deliveries"("id", "webhook_id", "message_id", "event_id", "event_type", "body", "status", "attempts", "next_attempt_at", "claimed_by", "claimed_until", "last_status_code", "last_error", "created_at", "delivered_at") VALUES(1,1,'msg_25_1',25,'task.created','{"id":"msg_25_1","event":"task.created","timestamp":"2026-12-03T18:08:16.749507Z","sequence":1,"data":{"task":{"id":"task_4","name":"Tell the receiver","description":"","status":"pending","priority":null,"due_date":null,"start_date":null,"progress":0,"estimated_hours":null,"section_id":null,"parent_id":null,"position":4096.0,"project_id":"project_1","completed_at":null,"completed_by":null,"custom_fields":{},"assignee_ids":[],"labels":[],"dependencies":[]},"project":{"id":"project_1","name":"Roadmap"},"workspace":{"id":"workspace_2","name":"Acme"}}}','pending',0,'2026-12-03 18:08:16.751794',NULL,NULL,NULL,NULL,'2026-12-03 18:08:16.751794',NULL);
CREATE TABLE webhook_attempts (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	delivery_id INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	started_at DATETIME NOT NULL, 
	duration_ms INTEGER NOT NULL, 
	request_headers JSON NOT NULL, 
	response_status INTEGER, 
	response_headers JSON, 
	response_body TEXT, 
	error VARCHAR(500), 
	CONSTRAINT fk_webhook_attempts_delivery_id_webhook_deliveries FOREIGN KEY(delivery_id) REFERENCES webhook_deliveries (id) ON DELETE CASCADE
);
CREATE TABLE oauth_clients (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	client_id VARCHAR(64) NOT NULL, 
	owner_id INTEGER NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	secret_hash VARCHAR(64), 
	is_public BOOLEAN NOT NULL, 
	redirect_uris JSON NOT NULL, 
	scopes JSON NOT NULL, 
	created_at DATETIME NOT NULL, rate_plan VARCHAR(64), 
	CONSTRAINT fk_oauth_clients_owner_id_users FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_oauth_clients_client_id UNIQUE (client_id)
);
CREATE TABLE oauth_codes (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	code_hash VARCHAR(64) NOT NULL, 
	client_pk INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	redirect_uri VARCHAR(2000) NOT NULL, 
	scopes JSON NOT NULL, 
	code_challenge VARCHAR(128), 
	expires_at DATETIME NOT NULL, 
	used_at DATETIME, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT fk_oauth_codes_client_pk_oauth_clients FOREIGN KEY(client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_oauth_codes_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_oauth_codes_code_hash UNIQUE (code_hash)
);
CREATE TABLE oauth_tokens (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	client_pk INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	code_id INTEGER, 
	family VARCHAR(32) NOT NULL, 
	scopes JSON NOT NULL, 
	access_hash VARCHAR(64) NOT NULL, 
	refresh_hash VARCHAR(64), 
	access_expires_at DATETIME NOT NULL, 
	refresh_expires_at DATETIME, 
	refreshed_at DATETIME, 
	revoked_at DATETIME, 
	last_used_at DATETIME, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT fk_oauth_tokens_client_pk_oauth_clients FOREIGN KEY(client_pk) REFERENCES oauth_clients (id) ON DELETE CASCADE, 
	CONSTRAINT fk_oauth_tokens_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_oauth_tokens_access_hash UNIQUE (access_hash), 
	CONSTRAINT uq_oauth_tokens_refresh_hash UNIQUE (refresh_hash)
);
CREATE TABLE login_failures (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	subject VARCHAR(100) NOT NULL, 
	failed_at DATETIME NOT NULL
);
CREATE TABLE idempotency_keys (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	scope VARCHAR(64) NOT NULL, 
	"key" VARCHAR(255) NOT NULL, 
	fingerprint VARCHAR(64) NOT NULL, 
	method VARCHAR(10) NOT NULL, 
	path VARCHAR(2000) NOT NULL, 
	state VARCHAR(10) NOT NULL, 
	response_status INTEGER, 
	response_headers JSON NOT NULL, 
	response_body BLOB, 
	created_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	CONSTRAINT uq_idempotency_keys_scope_key UNIQUE (scope, "key")
);
CREATE TABLE pruned_event_counts (
	resource_type VARCHAR(50) NOT NULL, 
	resource_id INTEGER NOT NULL, 
	pruned INTEGER NOT NULL, 
	CONSTRAINT pk_pruned_event_counts PRIMARY KEY (resource_type, resource_id)
);
CREATE TABLE browser_sessions (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	id_hash VARCHAR(64) NOT NULL, 
	user_id INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	last_seen_at DATETIME NOT NULL, 
	expires_at DATETIME NOT NULL, 
	client_ip VARCHAR(64), 
	user_agent VARCHAR(500), 
	revoked_at DATETIME, 
	revoked_reason VARCHAR(30), 
	CONSTRAINT fk_browser_sessions_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_browser_sessions_id_hash UNIQUE (id_hash)
);
INSERT INTO "browser_sessions"("id", "id_hash", "user_id", "created_at", "last_seen_at", "expires_at", "client_ip", "user_agent", "revoked_at", "revoked_reason") VALUES(1,'351155c18519b9b88535a9f47e9a59a96fa2e46ca6e1cc97bf47388d5d129d96',1,'2026-12-03 18:08:17.033713','2026-12-03 18:08:17.033713','2026-12-04 06:08:17.033713','127.0.0.1','python-httpx/0.28.1',NULL,NULL);
CREATE TABLE departments (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	description TEXT NOT NULL, 
	head_user_id INTEGER, 
	created_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_departments_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
	CONSTRAINT fk_departments_head_user_id_users FOREIGN KEY(head_user_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_departments_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT uq_departments_workspace_id_name UNIQUE (workspace_id, name)
);
CREATE TABLE "memberships" (
	id INTEGER NOT NULL, 
	workspace_id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	role VARCHAR(20) NOT NULL, 
	permissions JSON NOT NULL, 
	department VARCHAR(100), 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	department_id INTEGER, 
	cost_rate_minor BIGINT, 
	PRIMARY KEY (id), 
	CONSTRAINT fk_memberships_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
	CONSTRAINT fk_memberships_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_memberships_workspace_id_user_id UNIQUE (workspace_id, user_id), 
	CONSTRAINT fk_memberships_department_id_departments FOREIGN KEY(department_id) REFERENCES departments (id) ON DELETE SET NULL
);
INSERT INTO "memberships"("id", "workspace_id", "user_id", "role", "permissions", "department", "created_at", "updated_at", "department_id", "cost_rate_minor") VALUES(1,1,1,'owner','{}',NULL,'2026-12-03 18:08:10.125154','2026-12-03 18:08:10.125157',NULL,NULL);
INSERT INTO "memberships"("id", "workspace_id", "user_id", "role", "permissions", "department", "created_at", "updated_at", "department_id", "cost_rate_minor") VALUES(2,2,1,'owner','{}',NULL,'2026-12-03 18:08:16.299238','2026-12-03 18:08:16.299245',NULL,NULL);
INSERT INTO "memberships"("id", "workspace_id", "user_id", "role", "permissions", "department", "created_at", "updated_at", "department_id", "cost_rate_minor") VALUES(3,3,2,'owner','{}',NULL,'2026-12-03 18:08:16.592680','2026-12-03 18:08:16.592682',NULL,NULL);
INSERT INTO "memberships"("id", "workspace_id", "user_id", "role", "permissions", "department", "created_at", "updated_at", "department_id", "cost_rate_minor") VALUES(4,2,2,'member','{}',NULL,'2026-12-03 18:08:16.596449','2026-12-03 18:08:16.596451',NULL,NULL);
CREATE TABLE time_entries (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	task_id INTEGER, 
	user_id INTEGER NOT NULL, 
	minutes INTEGER NOT NULL, 
	spent_on DATE NOT NULL, 
	note TEXT NOT NULL, 
	created_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_time_entries_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
	CONSTRAINT fk_time_entries_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_time_entries_task_id_tasks FOREIGN KEY(task_id) REFERENCES tasks (id) ON DELETE SET NULL, 
	CONSTRAINT fk_time_entries_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT fk_time_entries_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE TABLE expenses (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	amount_minor BIGINT NOT NULL, 
	currency VARCHAR(3) NOT NULL, 
	spent_on DATE NOT NULL, 
	category VARCHAR(50) NOT NULL, 
	note TEXT NOT NULL, 
	created_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_expenses_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
	CONSTRAINT fk_expenses_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_expenses_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE TABLE risks (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	workspace_id INTEGER NOT NULL, 
	project_id INTEGER NOT NULL, 
	title VARCHAR(300) NOT NULL, 
	description TEXT NOT NULL, 
	severity VARCHAR(20) NOT NULL, 
	probability VARCHAR(20) NOT NULL, 
	impact VARCHAR(100) NOT NULL, 
	mitigation_plan TEXT NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	actual_impact VARCHAR(100), 
	resolution_notes TEXT, 
	owner_id INTEGER, 
	created_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	CONSTRAINT fk_risks_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
	CONSTRAINT fk_risks_project_id_projects FOREIGN KEY(project_id) REFERENCES projects (id) ON DELETE CASCADE, 
	CONSTRAINT fk_risks_owner_id_users FOREIGN KEY(owner_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_risks_created_by_id_users FOREIGN KEY(created_by_id) REFERENCES users (id) ON DELETE SET NULL
);
CREATE TABLE mail_messages (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	kind VARCHAR(50) NOT NULL, 
	to_address VARCHAR(320) NOT NULL, 
	subject VARCHAR(500) NOT NULL, 
	text_body TEXT, 
	html_body TEXT, 
	message_id VARCHAR(255) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	attempts INTEGER NOT NULL, 
	next_attempt_at DATETIME NOT NULL, 
	claimed_by VARCHAR(64), 
	claimed_until DATETIME, 
	last_error VARCHAR(500), 
	created_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	CONSTRAINT uq_mail_messages_message_id UNIQUE (message_id)
);
INSERT INTO "mail_messages"("id", "kind", "to_address", "subject", "text_body", "html_body", "message_id", "status", "attempts", "next_attempt_at", "claimed_by", "claimed_until", "last_error", "created_at", "sent_at") VALUES(1,'invite','bob@example.com','Ann invited you to Acme on Polytask','Ann invited you to join the workspace "Acme" as member.

Your invite token: inv_xa-6Ge7u79JG3KDnLEgP22Bs1bGZwa2T

If you have an account on this server, accept with:

POST http://127.0.0.1:8000/v1/invites/accept  (with your API key)
{
  "token": "inv_xa-6Ge7u79JG3KDnLEgP22Bs1bGZwa2T"
}

If you do not, create one as you accept:

POST http://127.0.0.1:8000/v1/invites/signup
{
  "token": "inv_xa-6Ge7u79JG3KDnLEgP22Bs1bGZwa2T",
  "name": "Your Name",
  "password": "a new password"
}

The invite expires on 2026-12-17 18:08 UTC.
','<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Ann invited you to Acme on Polytask</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
<p>Ann invited you to join the workspace <strong>Acme</strong> as member.</p>
<p>Your invite token: <code>inv_xa-6Ge7u79JG3KDnLEgP22Bs1bGZwa2T</code></p>
<p>If you have an account on this server, accept with:</p><pre>POST http://127.0.0.1:8000/v1/invites/accept  (with your API key)
{
  &quot;token&quot;: &quot;inv_xa-6Ge7u79JG3KDnLEgP22Bs1bGZwa2T&quot;
}</pre><p></p>
<p>If you do not, create one as you accept:</p><pre>POST http://127.0.0.1:8000/v1/invites/signup
{
  &quot;token&quot;: &quot;inv_xa-6Ge7u79JG3KDnLEgP22Bs1bGZwa2T&quot;,
  &quot;name&quot;: &quot;Your Name&quot;,
  &quot;password&quot;: &quot;a new password&quot;
}</pre><p></p>
<p>The invite expires on 2026-12-17 18:08 UTC.</p>
</body></html>
','<7a27aac5397c27cb4dbd757df96886f6@localhost>','pending',0,'2026-12-03 18:08:16.318628',NULL,NULL,NULL,'2026-12-03 18:08:16.318733',NULL);
INSERT INTO "mail_messages"("id", "kind", "to_address", "subject", "text_body", "html_body", "message_id", "status", "attempts", "next_attempt_at", "claimed_by", "claimed_until", "last_error", "created_at", "sent_at") VALUES(2,'password_reset','ann@example.com','Reset your Polytask password','Hello Ann,

Someone (we hope you) asked to reset the password of your Polytask account.

Set a new one within 60 minutes with:

POST http://127.0.0.1:8000/v1/password-resets/confirm
{
  "token": "pwr_cjAtPMT64-8hWFw3nFcFCWrUYkad8jeoMuzz5q-DyZU",
  "password": "your new password"
}

The token works once. If you did not ask for this, ignore this message: your password stays as it is.
','<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Reset your Polytask password</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
<p>Hello Ann,</p>
<p>Someone (we hope you) asked to reset the password of your Polytask account.</p>
<p>Set a new one within 60 minutes with:</p><pre>POST http://127.0.0.1:8000/v1/password-resets/confirm
{
  &quot;token&quot;: &quot;pwr_cjAtPMT64-8hWFw3nFcFCWrUYkad8jeoMuzz5q-DyZU&quot;,
  &quot;password&quot;: &quot;your new password&quot;
}</pre><p></p>
<p>The token works once. If you did not ask for this, ignore this message: your password stays as it is.</p>
</body></html>
','<f404cc5e5ae37a6f5b8f0e233efb3797@localhost>','pending',0,'2026-12-03 18:08:16.615606',NULL,NULL,NULL,'2026-12-03 18:08:16.615609',NULL);
INSERT INTO "mail_messages"("id", "kind", "to_address", "subject", "text_body", "html_body", "message_id", "status", "attempts", "next_attempt_at", "claimed_by", "claimed_until", "last_error", "created_at", "sent_at") VALUES(3,'invite','carol@example.com','Ann invited you to Acme on Polytask','Ann invited you to join the workspace "Acme" as viewer.

Your invite token: inv_kOlqyaAuL4soO0NTdmOSmwO8W6P9DdjO

If you have an account on this server, accept with:

POST http://127.0.0.1:8000/v1/invites/accept  (with your API key)
{
  "token": "inv_kOlqyaAuL4soO0NTdmOSmwO8W6P9DdjO"
}

If you do not, create one as you accept:

POST http://127.0.0.1:8000/v1/invites/signup
{
  "token": "inv_kOlqyaAuL4soO0NTdmOSmwO8W6P9DdjO",
  "name": "Your Name",
  "password": "a new password"
}

The invite expires on 2026-12-17 18:08 UTC.
','<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Ann invited you to Acme on Polytask</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
<p>Ann invited you to join the workspace <strong>Acme</strong> as viewer.</p>
<p>Your invite token: <code>inv_kOlqyaAuL4soO0NTdmOSmwO8W6P9DdjO</code></p>
<p>If you have an account on this server, accept with:</p><pre>POST http://127.0.0.1:8000/v1/invites/accept  (with your API key)
{
  &quot;token&quot;: &quot;inv_kOlqyaAuL4soO0NTdmOSmwO8W6P9DdjO&quot;
}</pre><p></p>
<p>If you do not, create one as you accept:</p><pre>POST http://127.0.0.1:8000/v1/invites/signup
{
  &quot;token&quot;: &quot;inv_kOlqyaAuL4soO0NTdmOSmwO8W6P9DdjO&quot;,
  &quot;name&quot;: &quot;Your Name&quot;,
  &quot;password&quot;: &quot;a new password&quot;
}</pre><p></p>
<p>The invite expires on 2026-12-17 18:08 UTC.</p>
</body></html>
','<f4697d0cc52fb004aa3baa1f1301e0dc@localhost>','pending',0,'2026-12-03 18:08:16.624825',NULL,NULL,NULL,'2026-12-03 18:08:16.624828',NULL);
CREATE TABLE mail_attempts (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	mail_id INTEGER NOT NULL, 
	number INTEGER NOT NULL, 
	started_at DATETIME NOT NULL, 
	duration_ms INTEGER NOT NULL, 
	reply VARCHAR(500), 
	error VARCHAR(500), 
	CONSTRAINT fk_mail_attempts_mail_id_mail_messages FOREIGN KEY(mail_id) REFERENCES mail_messages (id) ON DELETE CASCADE
);
CREATE TABLE password_resets (
	id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, 
	user_id INTEGER, 
	token_hash VARCHAR(64), 
	client_ip VARCHAR(64), 
	requested_at DATETIME NOT NULL, 
	expires_at DATETIME, 
	used_at DATETIME, 
	CONSTRAINT fk_password_resets_user_id_users FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	CONSTRAINT uq_password_resets_token_hash UNIQUE (token_hash)
);
INSERT INTO "password_resets"("id", "user_id", "token_hash", "client_ip", "requested_at", "expires_at", "used_at") VALUES(1,1,'a17b631c032462a5919bef45d39ca2d15a2b12a6dfdbffeaf83240382782f0fa','127.0.0.1','2026-12-03 18:08:16.613072','2026-12-03 19:08:16.613072',NULL);
CREATE TABLE "invites" (
	id INTEGER NOT NULL, 
	workspace_id INTEGER NOT NULL, 
	email VARCHAR(320) NOT NULL, 
	role VARCHAR(20) NOT NULL, 
	message TEXT NOT NULL, 
	token_hash VARCHAR(64) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	invited_by_id INTEGER, 
	expires_at DATETIME NOT NULL, 
	accepted_at DATETIME, 
	accepted_by_id INTEGER, 
	created_at DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	task_id INTEGER, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_invites_token_hash UNIQUE (token_hash), 
	CONSTRAINT fk_invites_invited_by_id_users FOREIGN KEY(invited_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_invites_workspace_id_workspaces FOREIGN KEY(workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE, 
	CONSTRAINT fk_invites_accepted_by_id_users FOREIGN KEY(accepted_by_id) REFERENCES users (id) ON DELETE SET NULL, 
	CONSTRAINT fk_invites_task_id_tasks FOREIGN KEY(task_id) REFERENCES tasks (id) ON DELETE SET NULL
);
INSERT INTO "invites"("id", "workspace_id", "email", "role", "message", "token_hash", "status", "invited_by_id", "expires_at", "accepted_at", "accepted_by_id", "created_at", "updated_at", "task_id") VALUES(1,2,'bob@example.com','member','','8efc11d0acdecb896e2e073aaadbff242d020441287a25e93d9734963ba8753d','accepted',1,'2026-12-17 18:08:16.314308','2026-12-03 18:08:16.595008',2,'2026-12-03 18:08:16.315429','2026-12-03 18:08:16.595848',NULL);
INSERT INTO "invites"("id", "workspace_id", "email", "role", "message", "token_hash", "status", "invited_by_id", "expires_at", "accepted_at", "accepted_by_id", "created_at", "updated_at", "task_id") VALUES(2,2,'carol@example.com','viewer','','7c5059392f6d8cde18bc7344783694b684a09b564b3fcf13c59ef233f03ace4a','pending',1,'2026-12-17 18:08:16.623126',NULL,NULL,'2026-12-03 18:08:16.623515','2026-12-03 18:08:16.623517',NULL);
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence(name, seq) VALUES('api_keys', 2);
INSERT INTO sqlite_sequence(name, seq) VALUES('browser_sessions', 1);
INSERT INTO sqlite_sequence(name, seq) VALUES('comments', 1);
INSERT INTO sqlite_sequence(name, seq) VALUES('events', 27);
INSERT INTO sqlite_sequence(name, seq) VALUES('field_definitions', 2);
INSERT INTO sqlite_sequence(name, seq) VALUES('mail_messages', 3);
INSERT INTO sqlite_sequence(name, seq) VALUES('password_resets', 1);
INSERT INTO sqlite_sequence(name, seq) VALUES('projects', 3);
INSERT INTO sqlite_sequence(name, seq) VALUES('sections', 2);
INSERT INTO sqlite_sequence(name, seq) VALUES('tasks', 4);
INSERT INTO sqlite_sequence(name, seq) VALUES('users', 2);
INSERT INTO sqlite_sequence(name, seq) VALUES('webhook_deliveries', 1);
INSERT INTO sqlite_sequence(name, seq) VALUES('webhooks', 1);
CREATE INDEX ix_events_resource ON events (resource_type, resource_id, id);
CREATE INDEX ix_events_workspace_id_id ON events (workspace_id, id);
CREATE INDEX ix_api_keys_user_id ON api_keys (user_id);
CREATE INDEX ix_projects_workspace_id ON projects (workspace_id);
CREATE INDEX ix_sections_project_id ON sections (project_id);
CREATE INDEX ix_tasks_parent_id ON tasks (parent_id);
CREATE INDEX ix_tasks_project_due ON tasks (project_id, due_date, id);
CREATE INDEX ix_tasks_project_position ON tasks (project_id, position, id);
CREATE INDEX ix_tasks_section_id ON tasks (section_id);
CREATE INDEX ix_tasks_workspace_id ON tasks (workspace_id);
CREATE INDEX ix_comments_task_id ON comments (task_id);
CREATE INDEX ix_task_assignees_user_id ON task_assignees (user_id);
CREATE INDEX ix_task_dependencies_depends_on_id ON task_dependencies (depends_on_id);
CREATE INDEX ix_task_labels_label ON task_labels (label);
CREATE INDEX ix_field_definitions_project_id ON field_definitions (project_id);
CREATE INDEX ix_field_definitions_scope ON field_definitions (workspace_id, project_id, "key");
CREATE INDEX ix_saved_views_project_id ON saved_views (project_id);
CREATE INDEX ix_saved_views_workspace_id ON saved_views (workspace_id);
CREATE INDEX ix_tasks_workspace_status_due ON tasks (workspace_id, status, due_date, id);
CREATE INDEX ix_tasks_project_status_due ON tasks (project_id, status, due_date, id);
CREATE TRIGGER search_tasks_insert AFTER INSERT ON tasks BEGIN
        INSERT INTO search_tasks(rowid, name, description, comments) VALUES (new.id, new.name, new.description, '');
    END;
CREATE TRIGGER search_tasks_update AFTER UPDATE OF name, description ON tasks BEGIN
        UPDATE search_tasks SET name = new.name, description = new.description WHERE rowid = new.id;
    END;
CREATE TRIGGER search_tasks_delete AFTER DELETE ON tasks BEGIN
        DELETE FROM search_tasks WHERE rowid = old.id;
    END;
CREATE TRIGGER search_comments_insert AFTER INSERT ON comments BEGIN
        UPDATE search_tasks SET comments = coalesce((SELECT group_concat(body, ' ') FROM comments WHERE task_id = new.task_id), '') WHERE rowid = new.task_id;
    END;
CREATE TRIGGER search_comments_update AFTER UPDATE OF body ON comments BEGIN
        UPDATE search_tasks SET comments = coalesce((SELECT group_concat(body, ' ') FROM comments WHERE task_id = new.task_id), '') WHERE rowid = new.task_id;
    END;
CREATE TRIGGER search_comments_delete AFTER DELETE ON comments BEGIN
        UPDATE search_tasks SET comments = coalesce((SELECT group_concat(body, ' ') FROM comments WHERE task_id = old.task_id), '') WHERE rowid = old.task_id;
    END;
CREATE TRIGGER search_projects_insert AFTER INSERT ON projects BEGIN
        INSERT INTO search_projects(rowid, name, description) VALUES (new.id, new.name, new.description);
    END;
CREATE TRIGGER search_projects_update AFTER UPDATE OF name, description ON projects BEGIN
        UPDATE search_projects SET name = new.name, description = new.description WHERE rowid = new.id;
    END;
CREATE TRIGGER search_projects_delete AFTER DELETE ON projects BEGIN
        DELETE FROM search_projects WHERE rowid = old.id;
    END;
CREATE INDEX ix_task_lists_workspace_id ON task_lists (workspace_id);
CREATE INDEX ix_task_lists_owner_id ON task_lists (owner_id);
CREATE UNIQUE INDEX uq_task_lists_flagship ON task_lists (workspace_id, owner_id) WHERE flagship;
CREATE INDEX ix_task_list_items_task_id ON task_list_items (task_id);
CREATE INDEX ix_task_list_collaborators_user_id ON task_list_collaborators (user_id);
CREATE INDEX ix_task_seen_user_id ON task_seen (user_id);
CREATE INDEX ix_task_email_links_task_id ON task_email_links (task_id);
CREATE INDEX ix_webhooks_workspace_id ON webhooks (workspace_id);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_webhook_id_id ON webhook_deliveries (webhook_id, id);
CREATE INDEX ix_webhook_attempts_delivery_id ON webhook_attempts (delivery_id);
CREATE INDEX ix_oauth_clients_owner_id ON oauth_clients (owner_id);
CREATE INDEX ix_oauth_codes_client_pk ON oauth_codes (client_pk);
CREATE INDEX ix_oauth_codes_user_id ON oauth_codes (user_id);
CREATE INDEX ix_oauth_tokens_client_pk ON oauth_tokens (client_pk);
CREATE INDEX ix_oauth_tokens_user_id ON oauth_tokens (user_id);
CREATE INDEX ix_oauth_tokens_code_id ON oauth_tokens (code_id);
CREATE INDEX ix_oauth_tokens_family ON oauth_tokens (family);
CREATE INDEX ix_login_failures_subject_at ON login_failures (subject, failed_at);
CREATE INDEX ix_idempotency_keys_expires_at ON idempotency_keys (expires_at);
CREATE INDEX ix_events_project_id_id ON events (project_id, id);
CREATE INDEX ix_events_occurred_at ON events (occurred_at);
CREATE INDEX ix_browser_sessions_user_id ON browser_sessions (user_id);
CREATE INDEX ix_tasks_workspace_due ON tasks (workspace_id, due_date, id);
CREATE INDEX ix_memberships_user_id ON memberships (user_id);
CREATE INDEX ix_memberships_department_id ON memberships (department_id);
CREATE INDEX ix_time_entries_project_spent_on ON time_entries (project_id, spent_on);
CREATE INDEX ix_time_entries_user_spent_on ON time_entries (user_id, spent_on);
CREATE INDEX ix_time_entries_workspace_spent_on ON time_entries (workspace_id, spent_on);
CREATE INDEX ix_time_entries_task_id ON time_entries (task_id);
CREATE INDEX ix_expenses_project_spent_on ON expenses (project_id, spent_on);
CREATE INDEX ix_expenses_workspace_spent_on ON expenses (workspace_id, spent_on);
CREATE INDEX ix_risks_project_status ON risks (project_id, status, id);
CREATE INDEX ix_risks_workspace_id ON risks (workspace_id);
CREATE INDEX ix_mail_messages_due ON mail_messages (status, next_attempt_at);
CREATE INDEX ix_mail_attempts_mail_id ON mail_attempts (mail_id);
CREATE INDEX ix_password_resets_client_ip_requested_at ON password_resets (client_ip, requested_at);
CREATE INDEX ix_password_resets_user_id_requested_at ON password_resets (user_id, requested_at);
CREATE INDEX ix_invites_workspace_id ON invites (workspace_id);
COMMIT;
