namespace NationalRegister.Episodes;

/// <summary>Ages as analysts see them: bands, never a date of birth.</summary>
public static class AgeBands
{
    public static int YearsOld(DateOnly dateOfBirth, DateTimeOffset at)
    {
        var on = DateOnly.FromDateTime(at.UtcDateTime);
        var years = on.Year - dateOfBirth.Year;
        return dateOfBirth.AddYears(years) > on ? years - 1 : years;
    }

    public static string Of(int years) => years switch
    {
        < 12 => "under 12",
        < 18 => "12-17",
        < 25 => "18-24",
        < 40 => "25-39",
        < 60 => "40-59",
        _ => "60 and over",
    };

    /// <summary>The same bands in SQL, over an integer column.</summary>
    public static string Sql(string column) =>
        $"case when {column} < 12 then 'under 12' when {column} < 18 then '12-17' when {column} < 25 then '18-24' " +
        $"when {column} < 40 then '25-39' when {column} < 60 then '40-59' else '60 and over' end";
}
