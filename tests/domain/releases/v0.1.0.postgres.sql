-- Polytask upgrade fixture: the database release v0.1.0 wrote (scripts/release-fixture.py).
-- name: v0.1.0
-- ref: HEAD
-- commit: a8c7d200982b36b68b17a24c724c43e9d1f21dbe
-- revision: 0016
-- engine: postgres
-- api_key: ptk_504ad988ae25_m0njgfGW0JpG2SSQaRToxsds0VGbFV4drT1rH2LVcxU
-- password: release-fixture-password
--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: search_projects_on_project(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.search_projects_on_project() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM search_projects WHERE project_id = OLD.id;
        ELSE
            INSERT INTO search_projects (project_id, document)
            VALUES (NEW.id, setweight(to_tsvector('simple', NEW.name), 'A')
                            || setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'B'))
            ON CONFLICT (project_id) DO UPDATE SET document = excluded.document;
        END IF;
        RETURN NULL;
    END $$;


--
-- Name: search_tasks_on_comment(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.search_tasks_on_comment() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
    BEGIN
        PERFORM search_tasks_refresh(CASE WHEN TG_OP = 'DELETE' THEN OLD.task_id ELSE NEW.task_id END);
        RETURN NULL;
    END $$;


--
-- Name: search_tasks_on_task(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.search_tasks_on_task() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_tasks WHERE task_id = OLD.id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO search_tasks (task_id, document)
        VALUES (NEW.id, setweight(to_tsvector('simple', NEW.name), 'A')
                        || setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'B'))
        ON CONFLICT (task_id) DO UPDATE SET document = excluded.document;
    ELSE
        INSERT INTO search_tasks (task_id, document)
        VALUES (NEW.id, setweight(to_tsvector('simple', NEW.name), 'A')
                        || setweight(to_tsvector('simple', coalesce(NEW.description, '')), 'B')
                        || setweight(to_tsvector('simple', coalesce(
                             (SELECT string_agg(c.body, ' ') FROM comments c WHERE c.task_id = NEW.id), '')), 'C'))
        ON CONFLICT (task_id) DO UPDATE SET document = excluded.document;
    END IF;
    RETURN NULL;
END $$;


--
-- Name: search_tasks_refresh(integer); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.search_tasks_refresh(tid integer) RETURNS void
    LANGUAGE sql
    AS $$
        INSERT INTO search_tasks (task_id, document)
        SELECT t.id,
               setweight(to_tsvector('simple', t.name), 'A')
               || setweight(to_tsvector('simple', coalesce(t.description, '')), 'B')
               || setweight(to_tsvector('simple', coalesce(
                    (SELECT string_agg(c.body, ' ') FROM comments c WHERE c.task_id = t.id), '')), 'C')
        FROM tasks t WHERE t.id = tid
        ON CONFLICT (task_id) DO UPDATE SET document = excluded.document
    $$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: alembic_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.alembic_version (
    version_num character varying(32) NOT NULL
);


--
-- Name: api_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.api_keys (
    id integer NOT NULL,
    user_id integer NOT NULL,
    workspace_id integer,
    name character varying(200) NOT NULL,
    prefix character varying(32) NOT NULL,
    key_hash character varying(64) NOT NULL,
    scopes jsonb,
    expires_at timestamp with time zone,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    rate_plan character varying(64)
);


--
-- Name: api_keys_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.api_keys_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: api_keys_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.api_keys_id_seq OWNED BY public.api_keys.id;


--
-- Name: browser_sessions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.browser_sessions (
    id integer NOT NULL,
    id_hash character varying(64) NOT NULL,
    user_id integer NOT NULL,
    created_at timestamp with time zone NOT NULL,
    last_seen_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    client_ip character varying(64),
    user_agent character varying(500),
    revoked_at timestamp with time zone,
    revoked_reason character varying(30)
);


--
-- Name: browser_sessions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.browser_sessions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: browser_sessions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.browser_sessions_id_seq OWNED BY public.browser_sessions.id;


--
-- Name: comments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.comments (
    id integer NOT NULL,
    task_id integer NOT NULL,
    author_id integer,
    body text NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: comments_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.comments_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: comments_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.comments_id_seq OWNED BY public.comments.id;


--
-- Name: departments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.departments (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    name character varying(100) NOT NULL,
    description text NOT NULL,
    head_user_id integer,
    created_by_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: departments_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.departments_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: departments_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.departments_id_seq OWNED BY public.departments.id;


--
-- Name: events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.events (
    id bigint NOT NULL,
    type character varying(100) NOT NULL,
    workspace_id integer,
    resource_type character varying(50) NOT NULL,
    resource_id integer NOT NULL,
    actor_user_id integer,
    credential_kind character varying(20),
    credential_id integer,
    occurred_at timestamp with time zone NOT NULL,
    changes jsonb NOT NULL,
    snapshot jsonb NOT NULL,
    project_id integer,
    client_ip character varying(64)
);


--
-- Name: events_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.events_id_seq OWNED BY public.events.id;


--
-- Name: expenses; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.expenses (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    project_id integer NOT NULL,
    amount_minor bigint NOT NULL,
    currency character varying(3) NOT NULL,
    spent_on date NOT NULL,
    category character varying(50) NOT NULL,
    note text NOT NULL,
    created_by_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: expenses_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.expenses_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: expenses_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.expenses_id_seq OWNED BY public.expenses.id;


--
-- Name: field_definitions; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.field_definitions (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    project_id integer,
    key character varying(100) NOT NULL,
    name character varying(200) NOT NULL,
    type character varying(20) NOT NULL,
    required boolean NOT NULL,
    default_value jsonb,
    options jsonb NOT NULL,
    "position" double precision NOT NULL,
    config jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: field_definitions_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.field_definitions_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: field_definitions_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.field_definitions_id_seq OWNED BY public.field_definitions.id;


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.idempotency_keys (
    id bigint NOT NULL,
    scope character varying(64) NOT NULL,
    key character varying(255) NOT NULL,
    fingerprint character varying(64) NOT NULL,
    method character varying(10) NOT NULL,
    path character varying(2000) NOT NULL,
    state character varying(10) NOT NULL,
    response_status integer,
    response_headers jsonb NOT NULL,
    response_body bytea,
    created_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone NOT NULL
);


--
-- Name: idempotency_keys_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.idempotency_keys_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: idempotency_keys_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.idempotency_keys_id_seq OWNED BY public.idempotency_keys.id;


--
-- Name: invites; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.invites (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    email character varying(320) NOT NULL,
    role character varying(20) NOT NULL,
    message text NOT NULL,
    token_hash character varying(64) NOT NULL,
    status character varying(20) NOT NULL,
    invited_by_id integer,
    expires_at timestamp with time zone NOT NULL,
    accepted_at timestamp with time zone,
    accepted_by_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    task_id integer
);


--
-- Name: invites_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.invites_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: invites_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.invites_id_seq OWNED BY public.invites.id;


--
-- Name: login_failures; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.login_failures (
    id integer NOT NULL,
    subject character varying(100) NOT NULL,
    failed_at timestamp with time zone NOT NULL
);


--
-- Name: login_failures_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.login_failures_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: login_failures_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.login_failures_id_seq OWNED BY public.login_failures.id;


--
-- Name: mail_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mail_attempts (
    id bigint NOT NULL,
    mail_id bigint NOT NULL,
    number integer NOT NULL,
    started_at timestamp with time zone NOT NULL,
    duration_ms integer NOT NULL,
    reply character varying(500),
    error character varying(500)
);


--
-- Name: mail_attempts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.mail_attempts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: mail_attempts_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.mail_attempts_id_seq OWNED BY public.mail_attempts.id;


--
-- Name: mail_messages; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.mail_messages (
    id bigint NOT NULL,
    kind character varying(50) NOT NULL,
    to_address character varying(320) NOT NULL,
    subject character varying(500) NOT NULL,
    text_body text,
    html_body text,
    message_id character varying(255) NOT NULL,
    status character varying(20) NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    claimed_by character varying(64),
    claimed_until timestamp with time zone,
    last_error character varying(500),
    created_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone
);


--
-- Name: mail_messages_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.mail_messages_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: mail_messages_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.mail_messages_id_seq OWNED BY public.mail_messages.id;


--
-- Name: memberships; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.memberships (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    user_id integer NOT NULL,
    role character varying(20) NOT NULL,
    permissions jsonb NOT NULL,
    department character varying(100),
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    department_id integer,
    cost_rate_minor bigint
);


--
-- Name: memberships_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.memberships_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: memberships_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.memberships_id_seq OWNED BY public.memberships.id;


--
-- Name: oauth_clients; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oauth_clients (
    id integer NOT NULL,
    client_id character varying(64) NOT NULL,
    owner_id integer NOT NULL,
    name character varying(200) NOT NULL,
    secret_hash character varying(64),
    is_public boolean NOT NULL,
    redirect_uris jsonb NOT NULL,
    scopes jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    rate_plan character varying(64)
);


--
-- Name: oauth_clients_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.oauth_clients_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: oauth_clients_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.oauth_clients_id_seq OWNED BY public.oauth_clients.id;


--
-- Name: oauth_codes; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oauth_codes (
    id integer NOT NULL,
    code_hash character varying(64) NOT NULL,
    client_pk integer NOT NULL,
    user_id integer NOT NULL,
    redirect_uri character varying(2000) NOT NULL,
    scopes jsonb NOT NULL,
    code_challenge character varying(128),
    expires_at timestamp with time zone NOT NULL,
    used_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: oauth_codes_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.oauth_codes_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: oauth_codes_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.oauth_codes_id_seq OWNED BY public.oauth_codes.id;


--
-- Name: oauth_tokens; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.oauth_tokens (
    id integer NOT NULL,
    client_pk integer NOT NULL,
    user_id integer NOT NULL,
    code_id integer,
    family character varying(32) NOT NULL,
    scopes jsonb NOT NULL,
    access_hash character varying(64) NOT NULL,
    refresh_hash character varying(64),
    access_expires_at timestamp with time zone NOT NULL,
    refresh_expires_at timestamp with time zone,
    refreshed_at timestamp with time zone,
    revoked_at timestamp with time zone,
    last_used_at timestamp with time zone,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: oauth_tokens_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.oauth_tokens_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: oauth_tokens_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.oauth_tokens_id_seq OWNED BY public.oauth_tokens.id;


--
-- Name: password_resets; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.password_resets (
    id integer NOT NULL,
    user_id integer,
    token_hash character varying(64),
    client_ip character varying(64),
    requested_at timestamp with time zone NOT NULL,
    expires_at timestamp with time zone,
    used_at timestamp with time zone
);


--
-- Name: password_resets_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.password_resets_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: password_resets_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.password_resets_id_seq OWNED BY public.password_resets.id;


--
-- Name: projects; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.projects (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    name character varying(300) NOT NULL,
    description text NOT NULL,
    type character varying(20) NOT NULL,
    status character varying(20) NOT NULL,
    start_date date,
    due_date date,
    settings jsonb NOT NULL,
    custom_field_definitions jsonb NOT NULL,
    custom_fields jsonb NOT NULL,
    created_by_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    budget_minor bigint,
    currency character varying(3) DEFAULT 'USD'::character varying NOT NULL
);


--
-- Name: projects_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.projects_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: projects_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.projects_id_seq OWNED BY public.projects.id;


--
-- Name: pruned_event_counts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.pruned_event_counts (
    resource_type character varying(50) NOT NULL,
    resource_id integer NOT NULL,
    pruned integer NOT NULL
);


--
-- Name: risks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.risks (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    project_id integer NOT NULL,
    title character varying(300) NOT NULL,
    description text NOT NULL,
    severity character varying(20) NOT NULL,
    probability character varying(20) NOT NULL,
    impact character varying(100) NOT NULL,
    mitigation_plan text NOT NULL,
    status character varying(20) NOT NULL,
    actual_impact character varying(100),
    resolution_notes text,
    owner_id integer,
    created_by_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: risks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.risks_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: risks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.risks_id_seq OWNED BY public.risks.id;


--
-- Name: saved_views; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.saved_views (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    project_id integer NOT NULL,
    name character varying(200) NOT NULL,
    filter jsonb NOT NULL,
    sort character varying(500),
    fields character varying(1000),
    layout character varying(20) NOT NULL,
    created_by_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: saved_views_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.saved_views_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: saved_views_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.saved_views_id_seq OWNED BY public.saved_views.id;


--
-- Name: search_projects; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_projects (
    project_id integer NOT NULL,
    document tsvector NOT NULL
);


--
-- Name: search_tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.search_tasks (
    task_id integer NOT NULL,
    document tsvector NOT NULL
);


--
-- Name: sections; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.sections (
    id integer NOT NULL,
    project_id integer NOT NULL,
    name character varying(200) NOT NULL,
    "position" double precision NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: sections_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.sections_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: sections_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.sections_id_seq OWNED BY public.sections.id;


--
-- Name: task_assignees; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_assignees (
    task_id integer NOT NULL,
    user_id integer NOT NULL,
    "position" integer NOT NULL
);


--
-- Name: task_dependencies; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_dependencies (
    task_id integer NOT NULL,
    depends_on_id integer NOT NULL
);


--
-- Name: task_email_links; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_email_links (
    id integer NOT NULL,
    task_id integer NOT NULL,
    gmail_thread_id character varying(200) NOT NULL,
    subject character varying(1000) NOT NULL,
    sender character varying(320) NOT NULL,
    added_by_id integer,
    created_at timestamp with time zone NOT NULL
);


--
-- Name: task_email_links_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.task_email_links_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: task_email_links_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.task_email_links_id_seq OWNED BY public.task_email_links.id;


--
-- Name: task_labels; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_labels (
    task_id integer NOT NULL,
    label character varying(100) NOT NULL
);


--
-- Name: task_list_collaborators; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_list_collaborators (
    list_id integer NOT NULL,
    user_id integer NOT NULL,
    added_at timestamp with time zone NOT NULL
);


--
-- Name: task_list_items; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_list_items (
    list_id integer NOT NULL,
    task_id integer NOT NULL,
    "position" double precision NOT NULL,
    added_at timestamp with time zone NOT NULL
);


--
-- Name: task_lists; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_lists (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    owner_id integer NOT NULL,
    name character varying(300) NOT NULL,
    description text NOT NULL,
    flagship boolean NOT NULL,
    project_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: task_lists_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.task_lists_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: task_lists_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.task_lists_id_seq OWNED BY public.task_lists.id;


--
-- Name: task_seen; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.task_seen (
    task_id integer NOT NULL,
    user_id integer NOT NULL,
    seen_at timestamp with time zone NOT NULL
);


--
-- Name: tasks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.tasks (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    project_id integer NOT NULL,
    section_id integer,
    parent_id integer,
    name character varying(500) NOT NULL,
    description text NOT NULL,
    status character varying(20) NOT NULL,
    priority character varying(20),
    due_date timestamp with time zone,
    start_date timestamp with time zone,
    progress integer NOT NULL,
    estimated_hours double precision,
    completed_at timestamp with time zone,
    completed_by_id integer,
    "position" double precision NOT NULL,
    custom_fields jsonb NOT NULL,
    created_by_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    completion_notes text
);


--
-- Name: tasks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.tasks_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: tasks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.tasks_id_seq OWNED BY public.tasks.id;


--
-- Name: time_entries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.time_entries (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    project_id integer NOT NULL,
    task_id integer,
    user_id integer NOT NULL,
    minutes integer NOT NULL,
    spent_on date NOT NULL,
    note text NOT NULL,
    created_by_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: time_entries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.time_entries_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: time_entries_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.time_entries_id_seq OWNED BY public.time_entries.id;


--
-- Name: users; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.users (
    id integer NOT NULL,
    username character varying(150) NOT NULL,
    email character varying(320) NOT NULL,
    name character varying(200) NOT NULL,
    password_hash character varying(255),
    role character varying(20) NOT NULL,
    department character varying(100),
    is_active boolean NOT NULL,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: users_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.users_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: users_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;


--
-- Name: webhook_attempts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_attempts (
    id bigint NOT NULL,
    delivery_id bigint NOT NULL,
    number integer NOT NULL,
    started_at timestamp with time zone NOT NULL,
    duration_ms integer NOT NULL,
    request_headers jsonb NOT NULL,
    response_status integer,
    response_headers jsonb,
    response_body text,
    error character varying(500)
);


--
-- Name: webhook_attempts_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.webhook_attempts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: webhook_attempts_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.webhook_attempts_id_seq OWNED BY public.webhook_attempts.id;


--
-- Name: webhook_deliveries; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhook_deliveries (
    id bigint NOT NULL,
    webhook_id integer NOT NULL,
    message_id character varying(64) NOT NULL,
    event_id bigint,
    event_type character varying(100) NOT NULL,
    body text NOT NULL,
    status character varying(20) NOT NULL,
    attempts integer NOT NULL,
    next_attempt_at timestamp with time zone NOT NULL,
    claimed_by character varying(64),
    claimed_until timestamp with time zone,
    last_status_code integer,
    last_error character varying(500),
    created_at timestamp with time zone NOT NULL,
    delivered_at timestamp with time zone
);


--
-- Name: webhook_deliveries_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.webhook_deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: webhook_deliveries_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.webhook_deliveries_id_seq OWNED BY public.webhook_deliveries.id;


--
-- Name: webhooks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.webhooks (
    id integer NOT NULL,
    workspace_id integer NOT NULL,
    project_id integer,
    created_by_id integer,
    url character varying(2048) NOT NULL,
    events jsonb NOT NULL,
    description text NOT NULL,
    secret character varying(255) NOT NULL,
    previous_secret character varying(255),
    previous_secret_expires_at timestamp with time zone,
    active boolean NOT NULL,
    disabled_reason character varying(500),
    failing_since timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL
);


--
-- Name: webhooks_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.webhooks_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: webhooks_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.webhooks_id_seq OWNED BY public.webhooks.id;


--
-- Name: workspaces; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.workspaces (
    id integer NOT NULL,
    name character varying(200) NOT NULL,
    description text NOT NULL,
    settings jsonb NOT NULL,
    created_by_id integer,
    created_at timestamp with time zone NOT NULL,
    updated_at timestamp with time zone NOT NULL,
    security jsonb DEFAULT '{}'::jsonb NOT NULL,
    ip_allowlist_enabled boolean DEFAULT false NOT NULL
);


--
-- Name: workspaces_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.workspaces_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: workspaces_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.workspaces_id_seq OWNED BY public.workspaces.id;


--
-- Name: api_keys id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys ALTER COLUMN id SET DEFAULT nextval('public.api_keys_id_seq'::regclass);


--
-- Name: browser_sessions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.browser_sessions ALTER COLUMN id SET DEFAULT nextval('public.browser_sessions_id_seq'::regclass);


--
-- Name: comments id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments ALTER COLUMN id SET DEFAULT nextval('public.comments_id_seq'::regclass);


--
-- Name: departments id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.departments ALTER COLUMN id SET DEFAULT nextval('public.departments_id_seq'::regclass);


--
-- Name: events id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events ALTER COLUMN id SET DEFAULT nextval('public.events_id_seq'::regclass);


--
-- Name: expenses id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expenses ALTER COLUMN id SET DEFAULT nextval('public.expenses_id_seq'::regclass);


--
-- Name: field_definitions id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.field_definitions ALTER COLUMN id SET DEFAULT nextval('public.field_definitions_id_seq'::regclass);


--
-- Name: idempotency_keys id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys ALTER COLUMN id SET DEFAULT nextval('public.idempotency_keys_id_seq'::regclass);


--
-- Name: invites id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites ALTER COLUMN id SET DEFAULT nextval('public.invites_id_seq'::regclass);


--
-- Name: login_failures id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_failures ALTER COLUMN id SET DEFAULT nextval('public.login_failures_id_seq'::regclass);


--
-- Name: mail_attempts id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mail_attempts ALTER COLUMN id SET DEFAULT nextval('public.mail_attempts_id_seq'::regclass);


--
-- Name: mail_messages id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mail_messages ALTER COLUMN id SET DEFAULT nextval('public.mail_messages_id_seq'::regclass);


--
-- Name: memberships id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships ALTER COLUMN id SET DEFAULT nextval('public.memberships_id_seq'::regclass);


--
-- Name: oauth_clients id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_clients ALTER COLUMN id SET DEFAULT nextval('public.oauth_clients_id_seq'::regclass);


--
-- Name: oauth_codes id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_codes ALTER COLUMN id SET DEFAULT nextval('public.oauth_codes_id_seq'::regclass);


--
-- Name: oauth_tokens id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_tokens ALTER COLUMN id SET DEFAULT nextval('public.oauth_tokens_id_seq'::regclass);


--
-- Name: password_resets id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_resets ALTER COLUMN id SET DEFAULT nextval('public.password_resets_id_seq'::regclass);


--
-- Name: projects id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.projects ALTER COLUMN id SET DEFAULT nextval('public.projects_id_seq'::regclass);


--
-- Name: risks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.risks ALTER COLUMN id SET DEFAULT nextval('public.risks_id_seq'::regclass);


--
-- Name: saved_views id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.saved_views ALTER COLUMN id SET DEFAULT nextval('public.saved_views_id_seq'::regclass);


--
-- Name: sections id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sections ALTER COLUMN id SET DEFAULT nextval('public.sections_id_seq'::regclass);


--
-- Name: task_email_links id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_email_links ALTER COLUMN id SET DEFAULT nextval('public.task_email_links_id_seq'::regclass);


--
-- Name: task_lists id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_lists ALTER COLUMN id SET DEFAULT nextval('public.task_lists_id_seq'::regclass);


--
-- Name: tasks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks ALTER COLUMN id SET DEFAULT nextval('public.tasks_id_seq'::regclass);


--
-- Name: time_entries id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.time_entries ALTER COLUMN id SET DEFAULT nextval('public.time_entries_id_seq'::regclass);


--
-- Name: users id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);


--
-- Name: webhook_attempts id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_attempts ALTER COLUMN id SET DEFAULT nextval('public.webhook_attempts_id_seq'::regclass);


--
-- Name: webhook_deliveries id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries ALTER COLUMN id SET DEFAULT nextval('public.webhook_deliveries_id_seq'::regclass);


--
-- Name: webhooks id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks ALTER COLUMN id SET DEFAULT nextval('public.webhooks_id_seq'::regclass);


--
-- Name: workspaces id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspaces ALTER COLUMN id SET DEFAULT nextval('public.workspaces_id_seq'::regclass);


--
-- Data for Name: alembic_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.alembic_version VALUES ('0016');


--
-- Data for Name: api_keys; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.api_keys VALUES (1, 1, NULL, 'release fixture', '504ad988ae25', '68079ff2ff5e6a24ee0e72d63b14fc6d4730456ad45859984ef4b90bb522423b', 'null', NULL, '2026-12-03 18:08:27.085192+00', NULL, '2026-12-03 18:08:22.326383+00', NULL);
INSERT INTO public.api_keys VALUES (2, 2, NULL, 'Invite sign-up', '2f36ae5a6c18', '0be80c11e5f9611e03ee6ae7bd8b4bfec34d0011beb8d27dd1626ea90700c8ff', 'null', NULL, NULL, NULL, '2026-12-03 18:08:27.394067+00', NULL);


--
-- Data for Name: browser_sessions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.browser_sessions VALUES (1, '5ace7535460623153cc922719acb2d80c03f0841231a707ea0c6bfa53ed376e9', 1, '2026-12-03 18:08:27.832828+00', '2026-12-03 18:08:27.832828+00', '2026-12-04 06:08:27.832828+00', '127.0.0.1', 'python-httpx/0.28.1', NULL, NULL);


--
-- Data for Name: comments; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.comments VALUES (1, 1, 1, 'Looks good', '2026-12-03 18:08:27.5823+00', '2026-12-03 18:08:27.582303+00');


--
-- Data for Name: departments; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: events; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.events VALUES (1, 'user.created', NULL, 'user', 1, NULL, NULL, NULL, '2026-12-03 18:08:20.735654+00', '{}', '{"name": "Ann", "role": "admin", "email": "ann@example.com", "username": "ann", "is_active": true, "department": null}', NULL, NULL);
INSERT INTO public.events VALUES (2, 'workspace.created', 1, 'workspace', 1, NULL, NULL, NULL, '2026-12-03 18:08:20.7453+00', '{}', '{"name": "Ann''s workspace", "security": {}, "settings": {}, "description": ""}', NULL, NULL);
INSERT INTO public.events VALUES (3, 'api_key.created', NULL, 'api_key', 1, NULL, NULL, NULL, '2026-12-03 18:08:22.328806+00', '{}', '{"name": "release fixture", "scopes": null, "user_id": 1, "workspace_id": null}', NULL, NULL);
INSERT INTO public.events VALUES (4, 'workspace.created', 2, 'workspace', 2, 1, 'api_key', 1, '2026-12-03 18:08:27.093425+00', '{}', '{"name": "Acme", "security": {}, "settings": {}, "description": "Written by a release"}', NULL, '127.0.0.1');
INSERT INTO public.events VALUES (5, 'invite.created', 2, 'invite', 1, 1, 'api_key', 1, '2026-12-03 18:08:27.116646+00', '{}', '{"role": "member", "email": "bob@example.com"}', NULL, '127.0.0.1');
INSERT INTO public.events VALUES (6, 'user.created', NULL, 'user', 2, NULL, NULL, NULL, '2026-12-03 18:08:27.383825+00', '{}', '{"name": "Bob", "role": "user", "email": "bob@example.com", "username": "bob", "is_active": true, "department": null}', NULL, NULL);
INSERT INTO public.events VALUES (7, 'workspace.created', 3, 'workspace', 3, NULL, NULL, NULL, '2026-12-03 18:08:27.386532+00', '{}', '{"name": "Bob''s workspace", "security": {}, "settings": {}, "description": ""}', NULL, NULL);
INSERT INTO public.events VALUES (8, 'invite.accepted', 2, 'invite', 1, 2, 'system', NULL, '2026-12-03 18:08:27.391222+00', '{"status": {"to": "accepted", "from": "pending"}}', '{"email": "bob@example.com", "user_id": 2}', NULL, NULL);
INSERT INTO public.events VALUES (9, 'member.added', 2, 'member', 4, 2, 'system', NULL, '2026-12-03 18:08:27.392479+00', '{}', '{"role": "member", "user_id": 2}', NULL, NULL);
INSERT INTO public.events VALUES (10, 'api_key.created', NULL, 'api_key', 2, 2, 'system', NULL, '2026-12-03 18:08:27.396672+00', '{}', '{"name": "Invite sign-up", "scopes": null, "user_id": 2, "workspace_id": null}', NULL, NULL);
INSERT INTO public.events VALUES (11, 'user.password_reset_requested', NULL, 'user', 1, NULL, NULL, NULL, '2026-12-03 18:08:27.416647+00', '{}', '{"client_ip": "127.0.0.1"}', NULL, '127.0.0.1');
INSERT INTO public.events VALUES (12, 'invite.created', 2, 'invite', 2, 1, 'api_key', 1, '2026-12-03 18:08:27.434784+00', '{}', '{"role": "viewer", "email": "carol@example.com"}', NULL, '127.0.0.1');
INSERT INTO public.events VALUES (13, 'project.created', 2, 'project', 1, 1, 'api_key', 1, '2026-12-03 18:08:27.470196+00', '{}', '{"name": "Roadmap", "type": "kanban", "status": "active", "currency": "USD", "due_date": null, "settings": {}, "start_date": null, "description": "What the release planned", "budget_minor": null, "workspace_id": 2, "custom_fields": {}, "custom_field_definitions": {}}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (14, 'custom_field.created', 2, 'custom_field', 1, 1, 'api_key', 1, '2026-12-03 18:08:27.486652+00', '{}', '{"key": "estimate", "name": "estimate", "type": "number", "config": {}, "options": [], "position": 0.0, "required": false, "project_id": 1, "default_value": null}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (15, 'custom_field.created', 2, 'custom_field', 2, 1, 'api_key', 1, '2026-12-03 18:08:27.494825+00', '{}', '{"key": "stage", "name": "stage", "type": "dropdown", "config": {}, "options": ["idea", "doing", "done"], "position": 1.0, "required": false, "project_id": 1, "default_value": null}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (16, 'project.created', 2, 'project', 2, 1, 'api_key', 1, '2026-12-03 18:08:27.509386+00', '{}', '{"name": "Archive", "type": "list", "status": "archived", "currency": "USD", "due_date": null, "settings": {}, "start_date": null, "description": "", "budget_minor": null, "workspace_id": 2, "custom_fields": {}, "custom_field_definitions": {}}', 2, '127.0.0.1');
INSERT INTO public.events VALUES (17, 'section.created', 2, 'section', 1, 1, 'api_key', 1, '2026-12-03 18:08:27.523851+00', '{}', '{"name": "Backlog", "position": 1024.0, "project_id": 1}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (18, 'section.created', 2, 'section', 2, 1, 'api_key', 1, '2026-12-03 18:08:27.530239+00', '{}', '{"name": "Doing", "position": 2048.0, "project_id": 1}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (19, 'task.created', 2, 'task', 1, 1, 'api_key', 1, '2026-12-03 18:08:27.53858+00', '{}', '{"name": "Ship the upgrade", "labels": ["release", "db"], "status": "pending", "due_date": "2027-01-15T00:00:00Z", "position": 1024.0, "priority": "high", "progress": 0, "parent_id": null, "project_id": 1, "section_id": 1, "start_date": null, "description": "From the release fixture", "assignee_ids": [2], "completed_at": null, "dependencies": [], "custom_fields": {"stage": "doing", "estimate": 3}, "completed_by_id": null, "estimated_hours": null}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (20, 'task.created', 2, 'task', 2, 1, 'api_key', 1, '2026-12-03 18:08:27.550596+00', '{}', '{"name": "Write the notes", "labels": [], "status": "pending", "due_date": null, "position": 2048.0, "priority": null, "progress": 0, "parent_id": 1, "project_id": 1, "section_id": null, "start_date": null, "description": "", "assignee_ids": [], "completed_at": null, "dependencies": [], "custom_fields": {}, "completed_by_id": null, "estimated_hours": null}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (21, 'task.created', 2, 'task', 3, 1, 'api_key', 1, '2026-12-03 18:08:27.557265+00', '{}', '{"name": "Tag it", "labels": ["release"], "status": "pending", "due_date": null, "position": 3072.0, "priority": null, "progress": 0, "parent_id": null, "project_id": 1, "section_id": null, "start_date": null, "description": "", "assignee_ids": [], "completed_at": null, "dependencies": [], "custom_fields": {}, "completed_by_id": null, "estimated_hours": null}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (22, 'task.completed', 2, 'task', 3, 1, 'api_key', 1, '2026-12-03 18:08:27.574265+00', '{"status": {"to": "completed", "from": "pending"}, "progress": {"to": 100, "from": 0}, "completed_at": {"to": "2026-12-03T18:08:27.572622Z", "from": null}, "completed_by_id": {"to": 1, "from": null}}', '{"name": "Tag it", "labels": ["release"], "status": "completed", "due_date": null, "position": 3072.0, "priority": null, "progress": 100, "parent_id": null, "project_id": 1, "section_id": null, "start_date": null, "description": "", "assignee_ids": [], "completed_at": "2026-12-03T18:08:27.572622Z", "dependencies": [], "custom_fields": {}, "completed_by_id": 1, "estimated_hours": null}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (23, 'comment.created', 2, 'comment', 1, 1, 'api_key', 1, '2026-12-03 18:08:27.58422+00', '{}', '{"body": "Looks good", "task_id": 1}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (24, 'webhook.created', 2, 'webhook', 1, 1, 'api_key', 1, '2026-12-03 18:08:27.592153+00', '{}', '{"url": "http://127.0.0.1:9/polytask", "active": true, "events": ["task.*"], "project_id": null, "description": "Old receiver", "disabled_reason": null}', NULL, '127.0.0.1');
INSERT INTO public.events VALUES (25, 'task.created', 2, 'task', 4, 1, 'api_key', 1, '2026-12-03 18:08:27.603275+00', '{}', '{"name": "Tell the receiver", "labels": [], "status": "pending", "due_date": null, "position": 4096.0, "priority": null, "progress": 0, "parent_id": null, "project_id": 1, "section_id": null, "start_date": null, "description": "", "assignee_ids": [], "completed_at": null, "dependencies": [], "custom_fields": {}, "completed_by_id": null, "estimated_hours": null}', 1, '127.0.0.1');
INSERT INTO public.events VALUES (26, 'auth.login_succeeded', NULL, 'user', 1, NULL, NULL, NULL, '2026-12-03 18:08:27.830333+00', '{}', '{"login": "ann", "surface": "taskflow", "client_ip": "127.0.0.1"}', NULL, '127.0.0.1');
INSERT INTO public.events VALUES (27, 'project.created', 1, 'project', 3, 1, 'session', 1, '2026-12-03 18:08:27.853532+00', '{}', '{"name": "Budgeted", "type": "list", "status": "active", "currency": "USD", "due_date": null, "settings": {}, "start_date": "2027-01-01", "description": "TaskFlow project", "budget_minor": 7500050, "workspace_id": 1, "custom_fields": {}, "custom_field_definitions": {}}', 3, '127.0.0.1');


--
-- Data for Name: expenses; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: field_definitions; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.field_definitions VALUES (1, 2, 1, 'estimate', 'estimate', 'number', false, 'null', '[]', 0, '{}', '2026-12-03 18:08:27.482072+00', '2026-12-03 18:08:27.482077+00');
INSERT INTO public.field_definitions VALUES (2, 2, 1, 'stage', 'stage', 'dropdown', false, 'null', '["idea", "doing", "done"]', 1, '{}', '2026-12-03 18:08:27.492923+00', '2026-12-03 18:08:27.492927+00');


--
-- Data for Name: idempotency_keys; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: invites; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.invites VALUES (1, 2, 'bob@example.com', 'member', '', 'ebaaea56ce0a91049309e284df43289587db742b919503d96e4ed44e2c370eb7', 'accepted', 1, '2026-12-17 18:08:27.112443+00', '2026-12-03 18:08:27.389565+00', 2, '2026-12-03 18:08:27.114534+00', '2026-12-03 18:08:27.390518+00', NULL);
INSERT INTO public.invites VALUES (2, 2, 'carol@example.com', 'viewer', '', 'ee3d89d1dda99c2ee4dd519f7ee7e0890c0ed6bf5e474686f60c65a8dcb11592', 'pending', 1, '2026-12-17 18:08:27.433336+00', NULL, NULL, '2026-12-03 18:08:27.433908+00', '2026-12-03 18:08:27.433911+00', NULL);


--
-- Data for Name: login_failures; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: mail_attempts; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: mail_messages; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.mail_messages VALUES (1, 'invite', 'bob@example.com', 'Ann invited you to Acme on Polytask', 'Ann invited you to join the workspace "Acme" as member.

Your invite token: inv_ML_8WVYZOeOVW6dDbE7K6fpbokWyTFHJ

If you have an account on this server, accept with:

POST http://127.0.0.1:8000/v1/invites/accept  (with your API key)
{
  "token": "inv_ML_8WVYZOeOVW6dDbE7K6fpbokWyTFHJ"
}

If you do not, create one as you accept:

POST http://127.0.0.1:8000/v1/invites/signup
{
  "token": "inv_ML_8WVYZOeOVW6dDbE7K6fpbokWyTFHJ",
  "name": "Your Name",
  "password": "a new password"
}

The invite expires on 2026-12-17 18:08 UTC.
', '<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Ann invited you to Acme on Polytask</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
<p>Ann invited you to join the workspace <strong>Acme</strong> as member.</p>
<p>Your invite token: <code>inv_ML_8WVYZOeOVW6dDbE7K6fpbokWyTFHJ</code></p>
<p>If you have an account on this server, accept with:</p><pre>POST http://127.0.0.1:8000/v1/invites/accept  (with your API key)
{
  &quot;token&quot;: &quot;inv_ML_8WVYZOeOVW6dDbE7K6fpbokWyTFHJ&quot;
}</pre><p></p>
<p>If you do not, create one as you accept:</p><pre>POST http://127.0.0.1:8000/v1/invites/signup
{
  &quot;token&quot;: &quot;inv_ML_8WVYZOeOVW6dDbE7K6fpbokWyTFHJ&quot;,
  &quot;name&quot;: &quot;Your Name&quot;,
  &quot;password&quot;: &quot;a new password&quot;
}</pre><p></p>
<p>The invite expires on 2026-12-17 18:08 UTC.</p>
</body></html>
', '<f40829bb59feaf5fc83f9121e3b79fc8@localhost>', 'pending', 0, '2026-12-03 18:08:27.122463+00', NULL, NULL, NULL, '2026-12-03 18:08:27.122468+00', NULL);
INSERT INTO public.mail_messages VALUES (2, 'password_reset', 'ann@example.com', 'Reset your Polytask password', 'Hello Ann,

Someone (we hope you) asked to reset the password of your Polytask account.

Set a new one within 60 minutes with:

POST http://127.0.0.1:8000/v1/password-resets/confirm
{
  "token": "pwr_c2VOdEa8wWjkiabW0mb1s0fQq-C4w1VDnzFB3r-7OSI",
  "password": "your new password"
}

The token works once. If you did not ask for this, ignore this message: your password stays as it is.
', '<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Reset your Polytask password</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
<p>Hello Ann,</p>
<p>Someone (we hope you) asked to reset the password of your Polytask account.</p>
<p>Set a new one within 60 minutes with:</p><pre>POST http://127.0.0.1:8000/v1/password-resets/confirm
{
  &quot;token&quot;: &quot;pwr_c2VOdEa8wWjkiabW0mb1s0fQq-C4w1VDnzFB3r-7OSI&quot;,
  &quot;password&quot;: &quot;your new password&quot;
}</pre><p></p>
<p>The token works once. If you did not ask for this, ignore this message: your password stays as it is.</p>
</body></html>
', '<234cee01ae9262db6f80031739e99816@localhost>', 'pending', 0, '2026-12-03 18:08:27.417743+00', NULL, NULL, NULL, '2026-12-03 18:08:27.417747+00', NULL);
INSERT INTO public.mail_messages VALUES (3, 'invite', 'carol@example.com', 'Ann invited you to Acme on Polytask', 'Ann invited you to join the workspace "Acme" as viewer.

Your invite token: inv_kS2y7HKe7zVGl0RVzHj1Fniyv7niILsK

If you have an account on this server, accept with:

POST http://127.0.0.1:8000/v1/invites/accept  (with your API key)
{
  "token": "inv_kS2y7HKe7zVGl0RVzHj1Fniyv7niILsK"
}

If you do not, create one as you accept:

POST http://127.0.0.1:8000/v1/invites/signup
{
  "token": "inv_kS2y7HKe7zVGl0RVzHj1Fniyv7niILsK",
  "name": "Your Name",
  "password": "a new password"
}

The invite expires on 2026-12-17 18:08 UTC.
', '<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Ann invited you to Acme on Polytask</title></head>
<body style="font-family: sans-serif; line-height: 1.5">
<p>Ann invited you to join the workspace <strong>Acme</strong> as viewer.</p>
<p>Your invite token: <code>inv_kS2y7HKe7zVGl0RVzHj1Fniyv7niILsK</code></p>
<p>If you have an account on this server, accept with:</p><pre>POST http://127.0.0.1:8000/v1/invites/accept  (with your API key)
{
  &quot;token&quot;: &quot;inv_kS2y7HKe7zVGl0RVzHj1Fniyv7niILsK&quot;
}</pre><p></p>
<p>If you do not, create one as you accept:</p><pre>POST http://127.0.0.1:8000/v1/invites/signup
{
  &quot;token&quot;: &quot;inv_kS2y7HKe7zVGl0RVzHj1Fniyv7niILsK&quot;,
  &quot;name&quot;: &quot;Your Name&quot;,
  &quot;password&quot;: &quot;a new password&quot;
}</pre><p></p>
<p>The invite expires on 2026-12-17 18:08 UTC.</p>
</body></html>
', '<87296602be882e33381e0b72b38c4deb@localhost>', 'pending', 0, '2026-12-03 18:08:27.437373+00', NULL, NULL, NULL, '2026-12-03 18:08:27.437377+00', NULL);


--
-- Data for Name: memberships; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.memberships VALUES (1, 1, 1, 'owner', '{}', NULL, '2026-12-03 18:08:20.743511+00', '2026-12-03 18:08:20.743515+00', NULL, NULL);
INSERT INTO public.memberships VALUES (2, 2, 1, 'owner', '{}', NULL, '2026-12-03 18:08:27.091987+00', '2026-12-03 18:08:27.091993+00', NULL, NULL);
INSERT INTO public.memberships VALUES (3, 3, 2, 'owner', '{}', NULL, '2026-12-03 18:08:27.385859+00', '2026-12-03 18:08:27.385862+00', NULL, NULL);
INSERT INTO public.memberships VALUES (4, 2, 2, 'member', '{}', NULL, '2026-12-03 18:08:27.391868+00', '2026-12-03 18:08:27.391871+00', NULL, NULL);


--
-- Data for Name: oauth_clients; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: oauth_codes; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: oauth_tokens; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: password_resets; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.password_resets VALUES (1, 1, '98446494b99643381b18f99c22561a4ac38fcec420154b7043b09501be5f5d82', '127.0.0.1', '2026-12-03 18:08:27.413869+00', '2026-12-03 19:08:27.413869+00', NULL);


--
-- Data for Name: projects; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.projects VALUES (1, 2, 'Roadmap', 'What the release planned', 'kanban', 'active', NULL, NULL, '{}', '{"stage": {"id": "field_2", "name": "stage", "type": "dropdown", "options": ["idea", "doing", "done"], "required": false}, "estimate": {"id": "field_1", "name": "estimate", "type": "number", "required": false}}', '{}', 1, '2026-12-03 18:08:27.465577+00', '2026-12-03 18:08:27.495603+00', NULL, 'USD');
INSERT INTO public.projects VALUES (2, 2, 'Archive', '', 'list', 'archived', NULL, NULL, '{}', '{}', '{}', 1, '2026-12-03 18:08:27.508373+00', '2026-12-03 18:08:27.508376+00', NULL, 'USD');
INSERT INTO public.projects VALUES (3, 1, 'Budgeted', 'TaskFlow project', 'list', 'active', '2027-01-01', NULL, '{}', '{}', '{}', 1, '2026-12-03 18:08:27.852558+00', '2026-12-03 18:08:27.852562+00', 7500050, 'USD');


--
-- Data for Name: pruned_event_counts; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: risks; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: saved_views; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: search_projects; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.search_projects VALUES (1, '''planned'':5B ''release'':4B ''roadmap'':1A ''the'':3B ''what'':2B');
INSERT INTO public.search_projects VALUES (2, '''archive'':1A');
INSERT INTO public.search_projects VALUES (3, '''budgeted'':1A ''project'':3B ''taskflow'':2B');


--
-- Data for Name: search_tasks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.search_tasks VALUES (2, '''notes'':3A ''the'':2A ''write'':1A');
INSERT INTO public.search_tasks VALUES (3, '''it'':2A ''tag'':1A');
INSERT INTO public.search_tasks VALUES (1, '''fixture'':7B ''from'':4B ''good'':9C ''looks'':8C ''release'':6B ''ship'':1A ''the'':2A,5B ''upgrade'':3A');
INSERT INTO public.search_tasks VALUES (4, '''receiver'':3A ''tell'':1A ''the'':2A');


--
-- Data for Name: sections; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.sections VALUES (1, 1, 'Backlog', 1024, '2026-12-03 18:08:27.522857+00', '2026-12-03 18:08:27.522861+00');
INSERT INTO public.sections VALUES (2, 1, 'Doing', 2048, '2026-12-03 18:08:27.52982+00', '2026-12-03 18:08:27.529823+00');


--
-- Data for Name: task_assignees; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.task_assignees VALUES (1, 2, 0);


--
-- Data for Name: task_dependencies; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: task_email_links; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: task_labels; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.task_labels VALUES (1, 'release');
INSERT INTO public.task_labels VALUES (1, 'db');
INSERT INTO public.task_labels VALUES (3, 'release');


--
-- Data for Name: task_list_collaborators; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: task_list_items; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: task_lists; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: task_seen; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: tasks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.tasks VALUES (1, 2, 1, 1, NULL, 'Ship the upgrade', 'From the release fixture', 'pending', 'high', '2027-01-15 00:00:00+00', NULL, 0, NULL, NULL, NULL, 1024, '{"stage": "doing", "estimate": 3}', 1, '2026-12-03 18:08:27.53858+00', '2026-12-03 18:08:27.53858+00', NULL);
INSERT INTO public.tasks VALUES (2, 2, 1, NULL, 1, 'Write the notes', '', 'pending', NULL, NULL, NULL, 0, NULL, NULL, NULL, 2048, '{}', 1, '2026-12-03 18:08:27.550596+00', '2026-12-03 18:08:27.550596+00', NULL);
INSERT INTO public.tasks VALUES (3, 2, 1, NULL, NULL, 'Tag it', '', 'completed', NULL, NULL, NULL, 100, NULL, '2026-12-03 18:08:27.572622+00', 1, 3072, '{}', 1, '2026-12-03 18:08:27.557265+00', '2026-12-03 18:08:27.572666+00', NULL);
INSERT INTO public.tasks VALUES (4, 2, 1, NULL, NULL, 'Tell the receiver', '', 'pending', NULL, NULL, NULL, 0, NULL, NULL, NULL, 4096, '{}', 1, '2026-12-03 18:08:27.603275+00', '2026-12-03 18:08:27.603275+00', NULL);


--
-- Data for Name: time_entries; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.users VALUES (1, 'ann', 'ann@example.com', 'Ann', '$argon2id$v=19$m=65536,t=3,p=4$SfYa6SiAL45dAT8ZhicF2A$ypCScZHjBkaSQUyC1clqelln7Y7l97l4ROloiN/NcXY', 'admin', NULL, true, '2026-12-03 18:08:20.733683+00', '2026-12-03 18:08:20.733689+00');
INSERT INTO public.users VALUES (2, 'bob', 'bob@example.com', 'Bob', '$argon2id$v=19$m=65536,t=3,p=4$9WKS0NbZeSJ/XV8cwY0cfQ$ux37X1q/ZBiWzOfUXM2ktvteeGIJkOtZy7R+LGCaAl0', 'user', NULL, true, '2026-12-03 18:08:27.38226+00', '2026-12-03 18:08:27.382266+00');


--
-- Data for Name: webhook_attempts; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: webhook_deliveries; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.webhook_deliveries VALUES (1, 1, 'msg_25_1', 25, 'task.created', '{"id":"msg_25_1","event":"task.created","timestamp":"2026-12-03T18:08:27.603275Z","sequence":1,"data":{"task":{"id":"task_4","name":"Tell the receiver","labels":[],"status":"pending","due_date":null,"position":4096.0,"priority":null,"progress":0,"parent_id":null,"project_id":"project_1","section_id":null,"start_date":null,"description":"","assignee_ids":[],"completed_at":null,"dependencies":[],"custom_fields":{},"completed_by":null,"estimated_hours":null},"project":{"id":"project_1","name":"Roadmap"},"workspace":{"id":"workspace_2","name":"Acme"}}}', 'pending', 0, '2026-12-03 18:08:27.608025+00', NULL, NULL, NULL, NULL, '2026-12-03 18:08:27.608025+00', NULL);


--
-- Data for Name: webhooks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.webhooks VALUES (1, 2, NULL, 1, 'http://127.0.0.1:9/polytask', '["task.*"]', 'Old receiver', 'release-fixture-secret', NULL, NULL, true, NULL, NULL, '2026-12-03 18:08:27.590784+00', '2026-12-03 18:08:27.590787+00');


--
-- Data for Name: workspaces; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.workspaces VALUES (1, 'Ann''s workspace', '', '{}', 1, '2026-12-03 18:08:20.740476+00', '2026-12-03 18:08:20.740482+00', '{}', false);
INSERT INTO public.workspaces VALUES (2, 'Acme', 'Written by a release', '{}', 1, '2026-12-03 18:08:27.089314+00', '2026-12-03 18:08:27.089318+00', '{}', false);
INSERT INTO public.workspaces VALUES (3, 'Bob''s workspace', '', '{}', 2, '2026-12-03 18:08:27.384803+00', '2026-12-03 18:08:27.384806+00', '{}', false);


--
-- Name: api_keys_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.api_keys_id_seq', 2, true);


--
-- Name: browser_sessions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.browser_sessions_id_seq', 1, true);


--
-- Name: comments_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.comments_id_seq', 1, true);


--
-- Name: departments_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.departments_id_seq', 1, false);


--
-- Name: events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.events_id_seq', 27, true);


--
-- Name: expenses_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.expenses_id_seq', 1, false);


--
-- Name: field_definitions_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.field_definitions_id_seq', 2, true);


--
-- Name: idempotency_keys_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.idempotency_keys_id_seq', 1, false);


--
-- Name: invites_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.invites_id_seq', 2, true);


--
-- Name: login_failures_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.login_failures_id_seq', 1, false);


--
-- Name: mail_attempts_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.mail_attempts_id_seq', 1, false);


--
-- Name: mail_messages_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.mail_messages_id_seq', 3, true);


--
-- Name: memberships_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.memberships_id_seq', 4, true);


--
-- Name: oauth_clients_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.oauth_clients_id_seq', 1, false);


--
-- Name: oauth_codes_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.oauth_codes_id_seq', 1, false);


--
-- Name: oauth_tokens_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.oauth_tokens_id_seq', 1, false);


--
-- Name: password_resets_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.password_resets_id_seq', 1, true);


--
-- Name: projects_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.projects_id_seq', 3, true);


--
-- Name: risks_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.risks_id_seq', 1, false);


--
-- Name: saved_views_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.saved_views_id_seq', 1, false);


--
-- Name: sections_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.sections_id_seq', 2, true);


--
-- Name: task_email_links_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.task_email_links_id_seq', 1, false);


--
-- Name: task_lists_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.task_lists_id_seq', 1, false);


--
-- Name: tasks_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.tasks_id_seq', 4, true);


--
-- Name: time_entries_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.time_entries_id_seq', 1, false);


--
-- Name: users_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.users_id_seq', 2, true);


--
-- Name: webhook_attempts_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.webhook_attempts_id_seq', 1, false);


--
-- Name: webhook_deliveries_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.webhook_deliveries_id_seq', 1, true);


--
-- Name: webhooks_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.webhooks_id_seq', 1, true);


--
-- Name: workspaces_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.workspaces_id_seq', 3, true);


--
-- Name: alembic_version alembic_version_pkc; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.alembic_version
    ADD CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num);


--
-- Name: api_keys pk_api_keys; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT pk_api_keys PRIMARY KEY (id);


--
-- Name: browser_sessions pk_browser_sessions; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.browser_sessions
    ADD CONSTRAINT pk_browser_sessions PRIMARY KEY (id);


--
-- Name: comments pk_comments; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT pk_comments PRIMARY KEY (id);


--
-- Name: departments pk_departments; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT pk_departments PRIMARY KEY (id);


--
-- Name: events pk_events; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.events
    ADD CONSTRAINT pk_events PRIMARY KEY (id);


--
-- Name: expenses pk_expenses; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expenses
    ADD CONSTRAINT pk_expenses PRIMARY KEY (id);


--
-- Name: field_definitions pk_field_definitions; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.field_definitions
    ADD CONSTRAINT pk_field_definitions PRIMARY KEY (id);


--
-- Name: idempotency_keys pk_idempotency_keys; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT pk_idempotency_keys PRIMARY KEY (id);


--
-- Name: invites pk_invites; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT pk_invites PRIMARY KEY (id);


--
-- Name: login_failures pk_login_failures; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.login_failures
    ADD CONSTRAINT pk_login_failures PRIMARY KEY (id);


--
-- Name: mail_attempts pk_mail_attempts; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mail_attempts
    ADD CONSTRAINT pk_mail_attempts PRIMARY KEY (id);


--
-- Name: mail_messages pk_mail_messages; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mail_messages
    ADD CONSTRAINT pk_mail_messages PRIMARY KEY (id);


--
-- Name: memberships pk_memberships; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT pk_memberships PRIMARY KEY (id);


--
-- Name: oauth_clients pk_oauth_clients; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_clients
    ADD CONSTRAINT pk_oauth_clients PRIMARY KEY (id);


--
-- Name: oauth_codes pk_oauth_codes; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_codes
    ADD CONSTRAINT pk_oauth_codes PRIMARY KEY (id);


--
-- Name: oauth_tokens pk_oauth_tokens; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_tokens
    ADD CONSTRAINT pk_oauth_tokens PRIMARY KEY (id);


--
-- Name: password_resets pk_password_resets; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT pk_password_resets PRIMARY KEY (id);


--
-- Name: projects pk_projects; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT pk_projects PRIMARY KEY (id);


--
-- Name: pruned_event_counts pk_pruned_event_counts; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.pruned_event_counts
    ADD CONSTRAINT pk_pruned_event_counts PRIMARY KEY (resource_type, resource_id);


--
-- Name: risks pk_risks; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.risks
    ADD CONSTRAINT pk_risks PRIMARY KEY (id);


--
-- Name: saved_views pk_saved_views; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.saved_views
    ADD CONSTRAINT pk_saved_views PRIMARY KEY (id);


--
-- Name: sections pk_sections; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sections
    ADD CONSTRAINT pk_sections PRIMARY KEY (id);


--
-- Name: task_assignees pk_task_assignees; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_assignees
    ADD CONSTRAINT pk_task_assignees PRIMARY KEY (task_id, user_id);


--
-- Name: task_dependencies pk_task_dependencies; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT pk_task_dependencies PRIMARY KEY (task_id, depends_on_id);


--
-- Name: task_email_links pk_task_email_links; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_email_links
    ADD CONSTRAINT pk_task_email_links PRIMARY KEY (id);


--
-- Name: task_labels pk_task_labels; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_labels
    ADD CONSTRAINT pk_task_labels PRIMARY KEY (task_id, label);


--
-- Name: task_list_collaborators pk_task_list_collaborators; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_list_collaborators
    ADD CONSTRAINT pk_task_list_collaborators PRIMARY KEY (list_id, user_id);


--
-- Name: task_list_items pk_task_list_items; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_list_items
    ADD CONSTRAINT pk_task_list_items PRIMARY KEY (list_id, task_id);


--
-- Name: task_lists pk_task_lists; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_lists
    ADD CONSTRAINT pk_task_lists PRIMARY KEY (id);


--
-- Name: task_seen pk_task_seen; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_seen
    ADD CONSTRAINT pk_task_seen PRIMARY KEY (task_id, user_id);


--
-- Name: tasks pk_tasks; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT pk_tasks PRIMARY KEY (id);


--
-- Name: time_entries pk_time_entries; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.time_entries
    ADD CONSTRAINT pk_time_entries PRIMARY KEY (id);


--
-- Name: users pk_users; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT pk_users PRIMARY KEY (id);


--
-- Name: webhook_attempts pk_webhook_attempts; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_attempts
    ADD CONSTRAINT pk_webhook_attempts PRIMARY KEY (id);


--
-- Name: webhook_deliveries pk_webhook_deliveries; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT pk_webhook_deliveries PRIMARY KEY (id);


--
-- Name: webhooks pk_webhooks; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT pk_webhooks PRIMARY KEY (id);


--
-- Name: workspaces pk_workspaces; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspaces
    ADD CONSTRAINT pk_workspaces PRIMARY KEY (id);


--
-- Name: search_projects search_projects_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_projects
    ADD CONSTRAINT search_projects_pkey PRIMARY KEY (project_id);


--
-- Name: search_tasks search_tasks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.search_tasks
    ADD CONSTRAINT search_tasks_pkey PRIMARY KEY (task_id);


--
-- Name: api_keys uq_api_keys_prefix; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT uq_api_keys_prefix UNIQUE (prefix);


--
-- Name: browser_sessions uq_browser_sessions_id_hash; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.browser_sessions
    ADD CONSTRAINT uq_browser_sessions_id_hash UNIQUE (id_hash);


--
-- Name: departments uq_departments_workspace_id_name; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT uq_departments_workspace_id_name UNIQUE (workspace_id, name);


--
-- Name: idempotency_keys uq_idempotency_keys_scope_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT uq_idempotency_keys_scope_key UNIQUE (scope, key);


--
-- Name: invites uq_invites_token_hash; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT uq_invites_token_hash UNIQUE (token_hash);


--
-- Name: mail_messages uq_mail_messages_message_id; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mail_messages
    ADD CONSTRAINT uq_mail_messages_message_id UNIQUE (message_id);


--
-- Name: memberships uq_memberships_workspace_id_user_id; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT uq_memberships_workspace_id_user_id UNIQUE (workspace_id, user_id);


--
-- Name: oauth_clients uq_oauth_clients_client_id; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_clients
    ADD CONSTRAINT uq_oauth_clients_client_id UNIQUE (client_id);


--
-- Name: oauth_codes uq_oauth_codes_code_hash; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_codes
    ADD CONSTRAINT uq_oauth_codes_code_hash UNIQUE (code_hash);


--
-- Name: oauth_tokens uq_oauth_tokens_access_hash; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_tokens
    ADD CONSTRAINT uq_oauth_tokens_access_hash UNIQUE (access_hash);


--
-- Name: oauth_tokens uq_oauth_tokens_refresh_hash; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_tokens
    ADD CONSTRAINT uq_oauth_tokens_refresh_hash UNIQUE (refresh_hash);


--
-- Name: password_resets uq_password_resets_token_hash; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT uq_password_resets_token_hash UNIQUE (token_hash);


--
-- Name: task_email_links uq_task_email_links_task_id_gmail_thread_id; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_email_links
    ADD CONSTRAINT uq_task_email_links_task_id_gmail_thread_id UNIQUE (task_id, gmail_thread_id);


--
-- Name: users uq_users_email; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT uq_users_email UNIQUE (email);


--
-- Name: users uq_users_username; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT uq_users_username UNIQUE (username);


--
-- Name: webhook_deliveries uq_webhook_deliveries_message_id; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT uq_webhook_deliveries_message_id UNIQUE (message_id);


--
-- Name: ix_api_keys_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_api_keys_user_id ON public.api_keys USING btree (user_id);


--
-- Name: ix_browser_sessions_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_browser_sessions_user_id ON public.browser_sessions USING btree (user_id);


--
-- Name: ix_comments_task_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_comments_task_id ON public.comments USING btree (task_id);


--
-- Name: ix_events_occurred_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_events_occurred_at ON public.events USING btree (occurred_at);


--
-- Name: ix_events_project_id_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_events_project_id_id ON public.events USING btree (project_id, id);


--
-- Name: ix_events_resource; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_events_resource ON public.events USING btree (resource_type, resource_id, id);


--
-- Name: ix_events_workspace_id_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_events_workspace_id_id ON public.events USING btree (workspace_id, id);


--
-- Name: ix_expenses_project_spent_on; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_expenses_project_spent_on ON public.expenses USING btree (project_id, spent_on);


--
-- Name: ix_expenses_workspace_spent_on; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_expenses_workspace_spent_on ON public.expenses USING btree (workspace_id, spent_on);


--
-- Name: ix_field_definitions_project_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_field_definitions_project_id ON public.field_definitions USING btree (project_id);


--
-- Name: ix_field_definitions_scope; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_field_definitions_scope ON public.field_definitions USING btree (workspace_id, project_id, key);


--
-- Name: ix_idempotency_keys_expires_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_idempotency_keys_expires_at ON public.idempotency_keys USING btree (expires_at);


--
-- Name: ix_invites_workspace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_invites_workspace_id ON public.invites USING btree (workspace_id);


--
-- Name: ix_login_failures_subject_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_login_failures_subject_at ON public.login_failures USING btree (subject, failed_at);


--
-- Name: ix_mail_attempts_mail_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_mail_attempts_mail_id ON public.mail_attempts USING btree (mail_id);


--
-- Name: ix_mail_messages_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_mail_messages_due ON public.mail_messages USING btree (status, next_attempt_at);


--
-- Name: ix_memberships_department_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_memberships_department_id ON public.memberships USING btree (department_id);


--
-- Name: ix_memberships_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_memberships_user_id ON public.memberships USING btree (user_id);


--
-- Name: ix_oauth_clients_owner_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_oauth_clients_owner_id ON public.oauth_clients USING btree (owner_id);


--
-- Name: ix_oauth_codes_client_pk; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_oauth_codes_client_pk ON public.oauth_codes USING btree (client_pk);


--
-- Name: ix_oauth_codes_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_oauth_codes_user_id ON public.oauth_codes USING btree (user_id);


--
-- Name: ix_oauth_tokens_client_pk; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_oauth_tokens_client_pk ON public.oauth_tokens USING btree (client_pk);


--
-- Name: ix_oauth_tokens_code_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_oauth_tokens_code_id ON public.oauth_tokens USING btree (code_id);


--
-- Name: ix_oauth_tokens_family; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_oauth_tokens_family ON public.oauth_tokens USING btree (family);


--
-- Name: ix_oauth_tokens_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_oauth_tokens_user_id ON public.oauth_tokens USING btree (user_id);


--
-- Name: ix_password_resets_client_ip_requested_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_password_resets_client_ip_requested_at ON public.password_resets USING btree (client_ip, requested_at);


--
-- Name: ix_password_resets_user_id_requested_at; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_password_resets_user_id_requested_at ON public.password_resets USING btree (user_id, requested_at);


--
-- Name: ix_projects_workspace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_projects_workspace_id ON public.projects USING btree (workspace_id);


--
-- Name: ix_risks_project_status; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_risks_project_status ON public.risks USING btree (project_id, status, id);


--
-- Name: ix_risks_workspace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_risks_workspace_id ON public.risks USING btree (workspace_id);


--
-- Name: ix_saved_views_project_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_saved_views_project_id ON public.saved_views USING btree (project_id);


--
-- Name: ix_saved_views_workspace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_saved_views_workspace_id ON public.saved_views USING btree (workspace_id);


--
-- Name: ix_sections_project_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_sections_project_id ON public.sections USING btree (project_id);


--
-- Name: ix_task_assignees_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_assignees_user_id ON public.task_assignees USING btree (user_id);


--
-- Name: ix_task_dependencies_depends_on_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_dependencies_depends_on_id ON public.task_dependencies USING btree (depends_on_id);


--
-- Name: ix_task_email_links_task_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_email_links_task_id ON public.task_email_links USING btree (task_id);


--
-- Name: ix_task_labels_label; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_labels_label ON public.task_labels USING btree (label);


--
-- Name: ix_task_list_collaborators_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_list_collaborators_user_id ON public.task_list_collaborators USING btree (user_id);


--
-- Name: ix_task_list_items_task_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_list_items_task_id ON public.task_list_items USING btree (task_id);


--
-- Name: ix_task_lists_owner_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_lists_owner_id ON public.task_lists USING btree (owner_id);


--
-- Name: ix_task_lists_workspace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_lists_workspace_id ON public.task_lists USING btree (workspace_id);


--
-- Name: ix_task_seen_user_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_task_seen_user_id ON public.task_seen USING btree (user_id);


--
-- Name: ix_tasks_parent_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_parent_id ON public.tasks USING btree (parent_id);


--
-- Name: ix_tasks_project_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_project_due ON public.tasks USING btree (project_id, due_date, id);


--
-- Name: ix_tasks_project_due_desc; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_project_due_desc ON public.tasks USING btree (project_id, due_date DESC NULLS LAST, id);


--
-- Name: ix_tasks_project_position; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_project_position ON public.tasks USING btree (project_id, "position", id);


--
-- Name: ix_tasks_project_status_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_project_status_due ON public.tasks USING btree (project_id, status, due_date, id);


--
-- Name: ix_tasks_project_status_due_desc; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_project_status_due_desc ON public.tasks USING btree (project_id, status, due_date DESC NULLS LAST, id);


--
-- Name: ix_tasks_section_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_section_id ON public.tasks USING btree (section_id);


--
-- Name: ix_tasks_workspace_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_workspace_due ON public.tasks USING btree (workspace_id, due_date, id);


--
-- Name: ix_tasks_workspace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_workspace_id ON public.tasks USING btree (workspace_id);


--
-- Name: ix_tasks_workspace_status_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_tasks_workspace_status_due ON public.tasks USING btree (workspace_id, status, due_date, id);


--
-- Name: ix_time_entries_project_spent_on; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_time_entries_project_spent_on ON public.time_entries USING btree (project_id, spent_on);


--
-- Name: ix_time_entries_task_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_time_entries_task_id ON public.time_entries USING btree (task_id);


--
-- Name: ix_time_entries_user_spent_on; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_time_entries_user_spent_on ON public.time_entries USING btree (user_id, spent_on);


--
-- Name: ix_time_entries_workspace_spent_on; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_time_entries_workspace_spent_on ON public.time_entries USING btree (workspace_id, spent_on);


--
-- Name: ix_webhook_attempts_delivery_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_webhook_attempts_delivery_id ON public.webhook_attempts USING btree (delivery_id);


--
-- Name: ix_webhook_deliveries_due; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_webhook_deliveries_due ON public.webhook_deliveries USING btree (status, next_attempt_at);


--
-- Name: ix_webhook_deliveries_webhook_id_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_webhook_deliveries_webhook_id_id ON public.webhook_deliveries USING btree (webhook_id, id);


--
-- Name: ix_webhooks_workspace_id; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_webhooks_workspace_id ON public.webhooks USING btree (workspace_id);


--
-- Name: search_projects_document; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_projects_document ON public.search_projects USING gin (document);


--
-- Name: search_tasks_document; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX search_tasks_document ON public.search_tasks USING gin (document);


--
-- Name: uq_task_lists_flagship; Type: INDEX; Schema: public; Owner: -
--

CREATE UNIQUE INDEX uq_task_lists_flagship ON public.task_lists USING btree (workspace_id, owner_id) WHERE flagship;


--
-- Name: comments search_comments_write; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_comments_write AFTER INSERT OR DELETE OR UPDATE OF body ON public.comments FOR EACH ROW EXECUTE FUNCTION public.search_tasks_on_comment();


--
-- Name: projects search_projects_write; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_projects_write AFTER INSERT OR DELETE OR UPDATE OF name, description ON public.projects FOR EACH ROW EXECUTE FUNCTION public.search_projects_on_project();


--
-- Name: tasks search_tasks_write; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER search_tasks_write AFTER INSERT OR DELETE OR UPDATE OF name, description ON public.tasks FOR EACH ROW EXECUTE FUNCTION public.search_tasks_on_task();


--
-- Name: api_keys fk_api_keys_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT fk_api_keys_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: api_keys fk_api_keys_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.api_keys
    ADD CONSTRAINT fk_api_keys_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: browser_sessions fk_browser_sessions_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.browser_sessions
    ADD CONSTRAINT fk_browser_sessions_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: comments fk_comments_author_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT fk_comments_author_id_users FOREIGN KEY (author_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: comments fk_comments_task_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.comments
    ADD CONSTRAINT fk_comments_task_id_tasks FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: departments fk_departments_created_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT fk_departments_created_by_id_users FOREIGN KEY (created_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: departments fk_departments_head_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT fk_departments_head_user_id_users FOREIGN KEY (head_user_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: departments fk_departments_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.departments
    ADD CONSTRAINT fk_departments_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: expenses fk_expenses_created_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expenses
    ADD CONSTRAINT fk_expenses_created_by_id_users FOREIGN KEY (created_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: expenses fk_expenses_project_id_projects; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expenses
    ADD CONSTRAINT fk_expenses_project_id_projects FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;


--
-- Name: expenses fk_expenses_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.expenses
    ADD CONSTRAINT fk_expenses_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: field_definitions fk_field_definitions_project_id_projects; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.field_definitions
    ADD CONSTRAINT fk_field_definitions_project_id_projects FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;


--
-- Name: field_definitions fk_field_definitions_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.field_definitions
    ADD CONSTRAINT fk_field_definitions_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: invites fk_invites_accepted_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT fk_invites_accepted_by_id_users FOREIGN KEY (accepted_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: invites fk_invites_invited_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT fk_invites_invited_by_id_users FOREIGN KEY (invited_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: invites fk_invites_task_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT fk_invites_task_id_tasks FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE SET NULL;


--
-- Name: invites fk_invites_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.invites
    ADD CONSTRAINT fk_invites_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: mail_attempts fk_mail_attempts_mail_id_mail_messages; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.mail_attempts
    ADD CONSTRAINT fk_mail_attempts_mail_id_mail_messages FOREIGN KEY (mail_id) REFERENCES public.mail_messages(id) ON DELETE CASCADE;


--
-- Name: memberships fk_memberships_department_id_departments; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT fk_memberships_department_id_departments FOREIGN KEY (department_id) REFERENCES public.departments(id) ON DELETE SET NULL;


--
-- Name: memberships fk_memberships_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT fk_memberships_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: memberships fk_memberships_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT fk_memberships_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: oauth_clients fk_oauth_clients_owner_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_clients
    ADD CONSTRAINT fk_oauth_clients_owner_id_users FOREIGN KEY (owner_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: oauth_codes fk_oauth_codes_client_pk_oauth_clients; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_codes
    ADD CONSTRAINT fk_oauth_codes_client_pk_oauth_clients FOREIGN KEY (client_pk) REFERENCES public.oauth_clients(id) ON DELETE CASCADE;


--
-- Name: oauth_codes fk_oauth_codes_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_codes
    ADD CONSTRAINT fk_oauth_codes_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: oauth_tokens fk_oauth_tokens_client_pk_oauth_clients; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_tokens
    ADD CONSTRAINT fk_oauth_tokens_client_pk_oauth_clients FOREIGN KEY (client_pk) REFERENCES public.oauth_clients(id) ON DELETE CASCADE;


--
-- Name: oauth_tokens fk_oauth_tokens_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.oauth_tokens
    ADD CONSTRAINT fk_oauth_tokens_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: password_resets fk_password_resets_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.password_resets
    ADD CONSTRAINT fk_password_resets_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: projects fk_projects_created_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT fk_projects_created_by_id_users FOREIGN KEY (created_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: projects fk_projects_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT fk_projects_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: risks fk_risks_created_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.risks
    ADD CONSTRAINT fk_risks_created_by_id_users FOREIGN KEY (created_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: risks fk_risks_owner_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.risks
    ADD CONSTRAINT fk_risks_owner_id_users FOREIGN KEY (owner_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: risks fk_risks_project_id_projects; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.risks
    ADD CONSTRAINT fk_risks_project_id_projects FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;


--
-- Name: risks fk_risks_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.risks
    ADD CONSTRAINT fk_risks_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: saved_views fk_saved_views_created_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.saved_views
    ADD CONSTRAINT fk_saved_views_created_by_id_users FOREIGN KEY (created_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: saved_views fk_saved_views_project_id_projects; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.saved_views
    ADD CONSTRAINT fk_saved_views_project_id_projects FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;


--
-- Name: saved_views fk_saved_views_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.saved_views
    ADD CONSTRAINT fk_saved_views_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: sections fk_sections_project_id_projects; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.sections
    ADD CONSTRAINT fk_sections_project_id_projects FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;


--
-- Name: task_assignees fk_task_assignees_task_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_assignees
    ADD CONSTRAINT fk_task_assignees_task_id_tasks FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: task_assignees fk_task_assignees_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_assignees
    ADD CONSTRAINT fk_task_assignees_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: task_dependencies fk_task_dependencies_depends_on_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT fk_task_dependencies_depends_on_id_tasks FOREIGN KEY (depends_on_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: task_dependencies fk_task_dependencies_task_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_dependencies
    ADD CONSTRAINT fk_task_dependencies_task_id_tasks FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: task_email_links fk_task_email_links_added_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_email_links
    ADD CONSTRAINT fk_task_email_links_added_by_id_users FOREIGN KEY (added_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: task_email_links fk_task_email_links_task_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_email_links
    ADD CONSTRAINT fk_task_email_links_task_id_tasks FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: task_labels fk_task_labels_task_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_labels
    ADD CONSTRAINT fk_task_labels_task_id_tasks FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: task_list_collaborators fk_task_list_collaborators_list_id_task_lists; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_list_collaborators
    ADD CONSTRAINT fk_task_list_collaborators_list_id_task_lists FOREIGN KEY (list_id) REFERENCES public.task_lists(id) ON DELETE CASCADE;


--
-- Name: task_list_collaborators fk_task_list_collaborators_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_list_collaborators
    ADD CONSTRAINT fk_task_list_collaborators_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: task_list_items fk_task_list_items_list_id_task_lists; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_list_items
    ADD CONSTRAINT fk_task_list_items_list_id_task_lists FOREIGN KEY (list_id) REFERENCES public.task_lists(id) ON DELETE CASCADE;


--
-- Name: task_list_items fk_task_list_items_task_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_list_items
    ADD CONSTRAINT fk_task_list_items_task_id_tasks FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: task_lists fk_task_lists_owner_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_lists
    ADD CONSTRAINT fk_task_lists_owner_id_users FOREIGN KEY (owner_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: task_lists fk_task_lists_project_id_projects; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_lists
    ADD CONSTRAINT fk_task_lists_project_id_projects FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE SET NULL;


--
-- Name: task_lists fk_task_lists_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_lists
    ADD CONSTRAINT fk_task_lists_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: task_seen fk_task_seen_task_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_seen
    ADD CONSTRAINT fk_task_seen_task_id_tasks FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: task_seen fk_task_seen_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.task_seen
    ADD CONSTRAINT fk_task_seen_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: tasks fk_tasks_completed_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT fk_tasks_completed_by_id_users FOREIGN KEY (completed_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: tasks fk_tasks_created_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT fk_tasks_created_by_id_users FOREIGN KEY (created_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: tasks fk_tasks_parent_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT fk_tasks_parent_id_tasks FOREIGN KEY (parent_id) REFERENCES public.tasks(id) ON DELETE CASCADE;


--
-- Name: tasks fk_tasks_project_id_projects; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT fk_tasks_project_id_projects FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;


--
-- Name: tasks fk_tasks_section_id_sections; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT fk_tasks_section_id_sections FOREIGN KEY (section_id) REFERENCES public.sections(id) ON DELETE SET NULL;


--
-- Name: tasks fk_tasks_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT fk_tasks_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: time_entries fk_time_entries_created_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.time_entries
    ADD CONSTRAINT fk_time_entries_created_by_id_users FOREIGN KEY (created_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: time_entries fk_time_entries_project_id_projects; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.time_entries
    ADD CONSTRAINT fk_time_entries_project_id_projects FOREIGN KEY (project_id) REFERENCES public.projects(id) ON DELETE CASCADE;


--
-- Name: time_entries fk_time_entries_task_id_tasks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.time_entries
    ADD CONSTRAINT fk_time_entries_task_id_tasks FOREIGN KEY (task_id) REFERENCES public.tasks(id) ON DELETE SET NULL;


--
-- Name: time_entries fk_time_entries_user_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.time_entries
    ADD CONSTRAINT fk_time_entries_user_id_users FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: time_entries fk_time_entries_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.time_entries
    ADD CONSTRAINT fk_time_entries_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: webhook_attempts fk_webhook_attempts_delivery_id_webhook_deliveries; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_attempts
    ADD CONSTRAINT fk_webhook_attempts_delivery_id_webhook_deliveries FOREIGN KEY (delivery_id) REFERENCES public.webhook_deliveries(id) ON DELETE CASCADE;


--
-- Name: webhook_deliveries fk_webhook_deliveries_webhook_id_webhooks; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhook_deliveries
    ADD CONSTRAINT fk_webhook_deliveries_webhook_id_webhooks FOREIGN KEY (webhook_id) REFERENCES public.webhooks(id) ON DELETE CASCADE;


--
-- Name: webhooks fk_webhooks_created_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT fk_webhooks_created_by_id_users FOREIGN KEY (created_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- Name: webhooks fk_webhooks_workspace_id_workspaces; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.webhooks
    ADD CONSTRAINT fk_webhooks_workspace_id_workspaces FOREIGN KEY (workspace_id) REFERENCES public.workspaces(id) ON DELETE CASCADE;


--
-- Name: workspaces fk_workspaces_created_by_id_users; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.workspaces
    ADD CONSTRAINT fk_workspaces_created_by_id_users FOREIGN KEY (created_by_id) REFERENCES public.users(id) ON DELETE SET NULL;


--
-- PostgreSQL database dump complete
--


