export const gitActions = {};
