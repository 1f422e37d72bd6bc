"""Static query cost analysis: the weights table, list bounds, budgets and the extension.

Nothing is re-exported here: `resolvers.core.context` imports the bounds and budgets, and the
extension imports the context, so importing the package must not import the extension.
"""
