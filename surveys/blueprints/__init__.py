"""One blueprint per audience: public (customers), api (shop systems), health (operators)."""
