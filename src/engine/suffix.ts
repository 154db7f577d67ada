import { randomBytes } from "node:crypto";

/** A unique suffix for a new unit's name (the planner takes it as a function, to stay pure). */
export const newSuffix = () => randomBytes(3).toString("hex");
