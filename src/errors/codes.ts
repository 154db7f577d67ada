/**
 * The catalogue of stable error codes. Every code has an HTTP status and a
 * default hint; docs/errors.md documents each one (a unit test checks that).
 */
export const CODES = {
  invalid_name: {
    status: 422,
    hint: "Use a lowercase DNS label: letters a-z, digits and '-', 1 to 30 characters, starting with a letter and not ending with '-'.",
  },
  invalid_domain: {
    status: 422,
    hint: "Use a hostname such as www.example.com: labels of a-z, 0-9 and '-', separated by dots, at most 253 characters.",
  },
  invalid_request: {
    status: 400,
    hint: "The message names the field; /api/openapi.json lists what each route takes.",
  },
  invalid_manifest: { status: 422, hint: "Fix the file named in the message and deploy again." },
  unauthorized: {
    status: 401,
    hint: "Pass 'Authorization: Bearer <token>'; the admin token is in <data-dir>/admin-token. With the CLI: yk login --url URL --token TOKEN.",
  },
  not_found: { status: 404, hint: "Check the name; 'yk apps' lists the apps." },
  app_exists: {
    status: 409,
    hint: "Pick another name, or destroy the existing app first with 'yk apps:destroy NAME --confirm NAME'.",
  },
  domain_taken: { status: 409, hint: "Remove the domain from the app that has it first ('yk domains:remove')." },
  build_failed: {
    status: 422,
    hint: "Read the build log above, fix the Dockerfile or the source, and deploy again. The running release was not changed.",
  },
  no_dockerfile: { status: 422, hint: "Add a Dockerfile at the root of the source you deploy." },
  deploy_failed: {
    status: 422,
    hint: "Read the reason and the container log above, fix the app and deploy again. The running release keeps serving.",
  },
  health_check_failed: {
    status: 422,
    hint: "Read the reason and the container log above: does the app listen on $PORT and answer the health check path (app.json healthchecks)? The running release keeps serving.",
  },
  release_phase_failed: {
    status: 422,
    hint: "Read the release phase's output above (Procfile release: or app.json scripts.dokku.predeploy), fix it and deploy again. No new container was started.",
  },
  canary_aborted: {
    status: 422,
    hint: "The new release's figures were worse than the old one's (the reason has the numbers), or someone ran deploy:abort; the old release took every request back. 'yk deploy:status -a APP' shows the canary.",
  },
  interrupted: {
    status: 409,
    hint: "The server stopped during the deploy; exactly one release is live (the reason says which). Deploy again.",
  },
  standby_gone: {
    status: 409,
    hint: "The blue-green standby set is no longer running; run 'yk rollback -a APP vN' again for an ordinary rollback.",
  },
  image_gone: {
    status: 422,
    hint: "Deploy that source again; Yadokari keeps the images of the last 10 releases (YADOKARI_KEEP_RELEASES).",
  },
  release_never_live: {
    status: 409,
    hint: "Roll back to a release that was live ('yk releases -a APP' shows each one's status), or add --force to roll back to this one anyway.",
  },
  process_crashed: {
    status: 422,
    hint: "Read the process's last lines above, fix it and deploy again; the previous release keeps running. app.json formation.<type>.settle sets how long a process must stay up.",
  },
  docker_unavailable: {
    status: 503,
    hint: "Start the Docker daemon (dockerd) and check that /var/run/docker.sock is reachable.",
  },
  router_failed: {
    status: 500,
    hint: "Check the router log in <data-dir>/router/haproxy.log; the previous router config is still in use.",
  },
  cron_running: {
    status: 409,
    hint: "Wait for the running one to end ('yk cron:runs -a APP JOB' shows it), or set the job's concurrency_policy to allow or replace in app.json.",
  },
  payload_too_large: {
    status: 413,
    hint: "Send less: build contexts leave out what .dockerignore lists; JSON bodies are small (the message gives the route's limit).",
  },
  unsupported_media_type: {
    status: 415,
    hint: "Send JSON bodies with 'Content-Type: application/json' (see /api/openapi.json for each route's body).",
  },
  no_release: { status: 409, hint: "Deploy the app first ('yk deploy -a APP'); one-off runs use the live release." },
  run_started: {
    status: 409,
    hint: "A run is attached once, before it starts. Start a new one with 'yk run -a APP -- COMMAND'.",
  },
  run_failed: {
    status: 422,
    hint: "The command runs in the release's image without a shell: check that the program exists there, or run 'yk run -a APP -- sh -c \"…\"'.",
  },
  invalid_mount: {
    status: 422,
    hint: "Mount HOST_PATH:CONTAINER_PATH with absolute paths, the host path below a root in YADOKARI_STORAGE_ROOTS, or VOLUME_NAME:CONTAINER_PATH.",
  },
  mount_exists: { status: 409, hint: "Unmount it first with 'yk storage:unmount -a APP CONTAINER_PATH'." },
  forbidden: {
    status: 403,
    hint: "Ask an admin for a role that allows it; 'yk whoami' shows yours.",
  },
  csrf_failed: {
    status: 403,
    hint: "Reload the page and try again; browser sessions send the X-CSRF-Token header from GET /api/v1/me with every change.",
  },
  too_many_attempts: { status: 429, hint: "Wait and try again later; repeated failed logins are rate limited." },
  invalid_user: {
    status: 422,
    hint: 'Users have an email address, a role (admin, deployer or viewer), app grants (names or "*") and a password of 12 to 1024 characters.',
  },
  user_exists: { status: 409, hint: "Update the existing user with 'yk users:update EMAIL', or remove it first." },
  invalid_setting: {
    status: 400,
    hint: "Fix the setting named in the message; docs/settings.md lists every setting with what it allows.",
  },
  internal: { status: 500, hint: "This is a bug in Yadokari. Report it with the request id." },
  // git connect, webhooks, review apps, promotion (issue 4)
  invalid_ref: {
    status: 422,
    hint: "Use a branch name git accepts (git check-ref-format), not starting with '-', at most 255 bytes.",
  },
  invalid_repo_url: {
    status: 422,
    hint: "Use an https://, ssh:// or git:// URL, or an absolute local path, e.g. yk git:connect -a APP https://github.com/acme/web.git",
  },
  bad_signature: {
    status: 401,
    hint: "Sign the raw body with the app's webhook secret ('yk hooks:secret -a APP'): GitHub's X-Hub-Signature-256, or GitLab's X-Gitlab-Token.",
  },
  not_connected: { status: 409, hint: "Connect a repository first: yk git:connect -a APP REPO_URL [--branch main]" },
  review_apps_disabled: { status: 409, hint: "Enable them first: yk review-apps:enable -a APP [--ttl 7d]" },
  branch_refused: {
    status: 409,
    hint: "Push the app's branch, set it with yk git:branch -a APP BRANCH, or enable review apps (yk review-apps:enable -a APP).",
  },
  fetch_failed: {
    status: 422,
    hint: "Check that the server can reach the repository ('yk git:info -a APP') and that the branch and commit exist there.",
  },
  // tenant isolation (issue 11; docs/security.md)
  dockerfile_refused: {
    status: 422,
    hint: "Yadokari refuses Dockerfile instructions that reach outside the app: see docs/security.md, then fix the line named.",
  },
  invalid_context: {
    status: 422,
    hint: "Send a tar or tar.gz of the app's directory, as 'yk deploy' makes it: relative paths, regular files, directories and links that stay inside.",
  },
  build_timeout: {
    status: 422,
    hint: "Make the build faster (cache dependencies in an earlier layer), or ask an admin to raise YADOKARI_BUILD_TIMEOUT on the server.",
  },
  quota_exceeded: {
    status: 422,
    hint: "Remove what the app no longer needs, or ask an admin to raise the limit (docs/security.md lists the settings).",
  },
  storage_unsafe: {
    status: 422,
    hint: "A mounted host directory was changed under Yadokari (a link where a directory was): an admin must remove the link; then unmount and mount again.",
  },
  // progressive delivery
  no_canary: {
    status: 409,
    hint: "Only a canary in progress can be paused, resumed, promoted or aborted; 'yk deploy:status -a APP' shows the last one.",
  },
  // HTTPS (issue 13)
  invalid_certificate: {
    status: 422,
    hint: "Upload the certificate (with its chain) and its unencrypted private key as PEM files: yk certs:add -a APP CERT.pem KEY.pem. It must not be expired and must name one of the app's domains.",
  },
  // across hosts: the Swarm engine (issue 12)
  invalid_engine_host: {
    status: 422,
    hint: "Use unix:///var/run/docker.sock or tcp://HOST:2376 (with DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH), as the docker CLI does.",
  },
  invalid_constraint: {
    status: 422,
    hint: "Use Swarm's syntax: node.labels.KEY==VALUE, node.role!=manager, node.hostname==NAME, node.id==ID, node.platform.os==linux.",
  },
  invalid_label: {
    status: 422,
    hint: "Use key=value: the key of letters, digits, '.', '-' and '_' (not starting with 'yadokari.'), the value without spaces or quotes.",
  },
  not_a_swarm: {
    status: 409,
    hint: "This Docker engine is not a Swarm manager: run 'yk cluster:init', or point DOCKER_HOST at a manager.",
  },
  node_not_down: {
    status: 409,
    hint: "Drain it first ('yk nodes:drain NODE'), then run 'docker swarm leave' on it and remove it once it is down, or pass --force.",
  },
  node_admission_failed: {
    status: 422,
    hint: "Open 2377/tcp, 7946/tcp+udp and 4789/udp between the hosts, and check that the path between them carries 1500-byte packets (or lower the overlay MTU).",
  },
  invalid_registry: {
    status: 422,
    hint: "Use an https:// URL of a registry (host[:port][/path]), with --username and --password-stdin when it needs them.",
  },
  registry_failed: {
    status: 502,
    hint: "Read the registry's log in <data-dir>/registry/registry.log; images already on the nodes keep running.",
  },
  // operating Yadokari itself (issue 16)
  store_too_new: {
    status: 500,
    hint: "Run the newer Yadokari that made this store again, or restore a backup made by this version ('yadokari restore FILE'): migrations only go forward.",
  },
  server_running: {
    status: 409,
    hint: "Stop it first ('yadokari stop', or 'systemctl stop yadokari' where systemd runs it), or give this server another --data-dir.",
  },
  server_not_running: {
    status: 503,
    hint: "Start it ('npm run up', 'systemctl start yadokari' or 'yadokari server'); 'yadokari status' shows what runs.",
  },
  shutting_down: {
    status: 503,
    hint: "The server is stopping (an upgrade or a restart): send the request again in a few seconds, to the server that replaces it.",
  },
  bad_backup: {
    status: 422,
    hint: "Check that the file is a whole Yadokari backup (yadokari-*.tar.gz, or .tar.gz.enc when encrypted), copied completely.",
  },
  bad_passphrase: {
    status: 422,
    hint: "Pass the passphrase file the backup was made with (--passphrase-file); without it, an encrypted backup cannot be read.",
  },
  restore_refused: {
    status: 409,
    hint: "Restore into an empty data directory (a new host, or --data-dir NEW_DIR), or pass --force to replace this one (its store is kept as yadokari.db.before-restore).",
  },
  invalid_backup_target: {
    status: 422,
    hint: "Use an absolute path on the server's host (a file, or a directory for schedules) or s3://BUCKET/PREFIX with YADOKARI_S3_ENDPOINT, YADOKARI_S3_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set for the server.",
  },
  backup_failed: {
    status: 500,
    hint: "Read the message: a full disk, an unwritable target or an unreachable S3 endpoint are the usual causes; nothing was left half-written at the target.",
  },
} as const satisfies Record<string, { status: number; hint: string }>;

export type ErrorCode = keyof typeof CODES;
