namespace fbl::crm {}
