"""The paper account: cash and positions, commissions, margin, IB's account reports and PnL."""
