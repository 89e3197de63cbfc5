//! A migration that is one SQL file, applied with `execute_unprepared`.

use sea_orm_migration::prelude::*;

pub(crate) struct SqlMigration {
    pub name: &'static str,
    pub sql: &'static str,
}

impl MigrationName for SqlMigration {
    fn name(&self) -> &str {
        self.name
    }
}

#[async_trait::async_trait]
impl MigrationTrait for SqlMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(self.sql)
            .await?;
        Ok(())
    }
}
