export const ciActions = {};
