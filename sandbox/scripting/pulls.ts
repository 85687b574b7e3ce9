export const pullActions = {};
