// Compiled (never run) by scripts/api_clients.sh against the types openapi-typescript generated from
// the schema: the rollup is typed down to project lines and incidents, enums are their codes, and
// request bodies are JSON. A wrong value must not compile (the @ts-expect-error lines).
import type { components, paths } from "./okrtracker";

type Rollup = components["schemas"]["Rollup"];
type ProjectLine = Rollup["objectives"][number]["projects"][number];
type IncidentLine = Rollup["incidents"][number];
type WeeklyPut = paths["/api/v1/projects/{project_pk}/updates/{week}/"]["put"];

export function firstSlipped(rollup: Rollup): { name: string; days: number } | undefined {
  const line: ProjectLine | undefined = rollup.objectives.flatMap((o) => o.projects).find((p) => p.slipped);
  return line && { name: line.name, days: line.launch.days };
}

export const health: ProjectLine["health"] = "at_risk";
export const grade: IncidentLine["grade"] = "event";
export const cd: Rollup["incident_counts"]["week"]["CD"] = "1.5";
export const frozenAt: Rollup["frozen_at"] = undefined; // only on frozen data
export const body: WeeklyPut["requestBody"]["content"]["application/json"] = {
  summary: "Trial transactions passed.",
  percent: 60,
  health: "on_track",
};
export type UpdateCreated = WeeklyPut["responses"][201]["content"]["application/json"];
export type BadInput = WeeklyPut["responses"][400]["content"]["application/json"];

// @ts-expect-error "green" is not a health code
export const wrongHealth: ProjectLine["health"] = "green";
// @ts-expect-error the body is JSON only
export type FormBody = WeeklyPut["requestBody"]["content"]["application/x-www-form-urlencoded"];
// @ts-expect-error an update is text, not a number
export const wrongUpdate: NonNullable<ProjectLine["update"]>["summary"] = 3;
