export const issueActions = {};
