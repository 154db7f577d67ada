/**
 * The catalogue of stable error codes. Every code has an HTTP status and a
 * default hint; docs/errors.md documents each one (a unit test checks that).
 */
export const CODES = {
  invalid_name: { status: 422, hint: "Use a lowercase DNS label: letters a-z, digits and '-', 1 to 30 characters, starting with a letter and not ending with '-'." },
  invalid_domain: { status: 422, hint: "Use a hostname such as www.example.com: labels of a-z, 0-9 and '-', separated by dots, at most 253 characters." },
  invalid_request: { status: 400, hint: "Check the request body against the API document at /api/openapi.json." },
  invalid_manifest: { status: 422, hint: "Fix the file named in the message and deploy again." },
  unauthorized: { status: 401, hint: "Pass 'Authorization: Bearer <token>'; the admin token is in <data-dir>/admin-token. With the CLI: yk login --url URL --token TOKEN." },
  not_found: { status: 404, hint: "Check the name; 'yk apps' lists the apps." },
  app_exists: { status: 409, hint: "Pick another name, or destroy the existing app first with 'yk apps:destroy NAME --confirm NAME'." },
  domain_taken: { status: 409, hint: "Remove the domain from the app that has it first ('yk domains:remove')." },
  build_failed: { status: 422, hint: "Read the build log above, fix the Dockerfile or the source, and deploy again. The running release was not changed." },
  no_dockerfile: { status: 422, hint: "Add a Dockerfile at the root of the source you deploy." },
  deploy_failed: { status: 422, hint: "Read the reason and the container log above, fix the app and deploy again. The running release keeps serving." },
  docker_unavailable: { status: 503, hint: "Start the Docker daemon (dockerd) and check that /var/run/docker.sock is reachable." },
  router_failed: { status: 500, hint: "Check the router log in <data-dir>/router/haproxy.log; the previous router config is still in use." },
  payload_too_large: { status: 413, hint: "Add large files that the build does not need to .dockerignore." },
  internal: { status: 500, hint: "This is a bug in Yadokari. Report it with the request id." },
} as const satisfies Record<string, { status: number; hint: string }>;

export type ErrorCode = keyof typeof CODES;
